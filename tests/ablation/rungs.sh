#!/usr/bin/env bash
# The rungs' accuracy against the full budget (issue 31), paired over seeds: on blobs of
# ROWS rows (`cargo run --release --example blobs -- ROWS`, 16 features, 4 classes), the
# default 5000-rollout search with `--rungs auto` and with `--rungs off`, seeds 0 to SEEDS-1
# (`--seed S --split-seed S`: each seed its own split and its own search, both arms on the
# same). Prints one row per seed (test accuracy of what ships, the fold models' ensemble, and
# wall time of each arm) and the paired difference auto − off: its mean, its standard error
# (sd / √n) and the interval mean ± 2 SE. A finished run is kept and not run again, so the
# script can be stopped and started again; the summary covers the seeds whose both arms are
# done.
#   tests/ablation/rungs.sh [OUT_DIR] [SEEDS] [ROWS]     (default runs/rungs 5 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/rungs}
seeds=${2:-5}
rows=${3:-100000}
cargo build --release --quiet --bin piconas --example blobs
bin=target/release/piconas
mkdir -p "$out"
data="$out/blobs-$rows.csv"
[ -f "$data" ] || target/release/examples/blobs "$rows" > "$data"
for ((seed = 0; seed < seeds; seed++)); do
    for arm in auto off; do
        dir="$out/seed$seed-$arm"
        [ -f "$dir/summary.json" ] || { rm -rf "$dir"; "$bin" --data "$data" --rungs "$arm" \
            --seed "$seed" --split-seed "$seed" --quiet --out "$dir" > "$dir.log"; }
    done
done
python3 - "$out" "$seeds" <<'PY'
import json, math, os, statistics, sys
out, seeds = sys.argv[1], int(sys.argv[2])
def run(seed, arm):
    path = f"{out}/seed{seed}-{arm}/summary.json"
    return json.load(open(path)) if os.path.exists(path) else None
print("| seed | rungs auto: test | time | rungs off: test | time | auto − off |")
print("|---|---|---|---|---|---|")
diffs = []
for seed in range(seeds):
    a, o = run(seed, "auto"), run(seed, "off")
    if a is None or o is None:
        continue
    d = 100 * (a["test_acc"] - o["test_acc"])
    diffs.append(d)
    print(f"| {seed} | {100 * a['test_acc']:.2f} % | {a['seconds'] / 60:.1f} min | "
          f"{100 * o['test_acc']:.2f} % | {o['seconds'] / 60:.1f} min | {d:+.2f} |")
if len(diffs) > 1:
    mean, se = statistics.mean(diffs), statistics.stdev(diffs) / math.sqrt(len(diffs))
    print(f"\npaired difference auto − off over {len(diffs)} seeds: {mean:+.2f} points, "
          f"SE {se:.2f} (mean ± 2 SE: {mean - 2 * se:+.2f} to {mean + 2 * se:+.2f})")
PY
