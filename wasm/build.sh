#!/usr/bin/env bash
# The page's module (www/pkg, README's page command) and the Node test's (target/pkg-node).
set -euo pipefail
cd "$(dirname "$0")/.." && wasm-pack build wasm --target no-modules --out-dir ../www/pkg --mode no-install && wasm/embed.sh && wasm-pack build wasm --target nodejs --out-dir ../target/pkg-node --mode no-install
