#!/usr/bin/env bash
# Fuzzes each target for SECONDS (default 60) with cargo-fuzz (libFuzzer; nightly Rust),
# starting from the committed seeds in tests/fuzz/corpus/<target>/ (read only: what libFuzzer
# finds goes to a temporary corpus), prints the executions run, and keeps any crash input in
# tests/fuzz/regressions/<target>/, which tests/fuzz_regressions.rs replays on every
# `cargo test`. Exits 1 if any target crashed. CI runs it for 20 s a target (.ci/run).
#   cargo install cargo-fuzz --locked; tests/fuzz/run.sh 60
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
# Every target at once first: one cargo build compiles the seven on both cores.
cargo +nightly fuzz build --fuzz-dir tests/fuzz
status=0
for target in tokens csv checkpoint predict network settings space; do
    log=$(mktemp)
    found=$(mktemp -d)
    if cargo +nightly fuzz run --fuzz-dir tests/fuzz "$target" "$found" "tests/fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 > "$log" 2>&1; then
        result=clean
    else
        result=CRASH
        status=1
        tail -40 "$log" >&2
    fi
    for crash in tests/fuzz/artifacts/"$target"/crash-* tests/fuzz/artifacts/"$target"/oom-*; do
        [ -e "$crash" ] && cp "$crash" "tests/fuzz/regressions/$target/"
    done
    runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    printf '%-10s %s: %s executions in %s s\n' "$target" "$result" "${runs:-?}" "$seconds"
    rm -rf "$log" "$found"
done
exit $status
