#!/usr/bin/env bash
# Builds the wasm module and its JS bindings:
#   www/pkg/          for the page (ES module, --target web)
#   target/pkg-node/  for the Node equality test (--target nodejs)
# Needs the wasm32 target and wasm-bindgen-cli at the version Cargo.lock pins (.ci/run installs
# both). Equivalent to `wasm-pack build wasm --target web --out-dir ../www/pkg` without wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    echo "wasm/build.sh: need wasm-bindgen $want on PATH (found '${have:-none}');" >&2
    echo "  install it with: cargo install wasm-bindgen-cli --version =$want" >&2
    exit 2
fi

cargo build -p piconas-wasm --release --target wasm32-unknown-unknown
module=target/wasm32-unknown-unknown/release/piconas_wasm.wasm
wasm-bindgen --target web --out-dir www/pkg "$module"
wasm-bindgen --target nodejs --out-dir target/pkg-node "$module"
echo "built www/pkg and target/pkg-node ($(wc -c < www/pkg/piconas_wasm_bg.wasm) bytes of wasm)"
