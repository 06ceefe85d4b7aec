#!/usr/bin/env bash
# Fuzzes each target for SECONDS (default 60) with cargo-fuzz (libFuzzer; nightly Rust), prints
# the executions run, and keeps any crash input in tests/fuzz/regressions/<target>/, which
# tests/fuzz_regressions.rs replays on every `cargo test`. Not part of CI (it is open-ended);
# the README reports its last results.
#   cargo install cargo-fuzz; tests/fuzz/run.sh 60
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
status=0
for target in tokens csv checkpoint; do
    log=$(mktemp)
    if cargo +nightly fuzz run --fuzz-dir tests/fuzz "$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 > "$log" 2>&1; then
        result=clean
    else
        result=CRASH
        status=1
    fi
    for crash in tests/fuzz/artifacts/"$target"/crash-* tests/fuzz/artifacts/"$target"/oom-*; do
        [ -e "$crash" ] && cp "$crash" "tests/fuzz/regressions/$target/"
    done
    runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    printf '%-10s %s: %s executions in %s s\n' "$target" "$result" "${runs:-?}" "$seconds"
    rm -f "$log"
done
exit $status
