#!/usr/bin/env bash
# The ablation of docs/search.md (issue 18): from the original's rules to piconas's, one change at a
# time, on the original's own data (scikit-learn's seed-0 moons, read in order and
# unstandardised, as the original splits it), 5 search seeds x 5000 rollouts each. Each row
# keeps the changes of the rows above it. Prints one line per run and the table: test
# accuracy mean ± sd over the seeds of the winner's retrains or fold models one by one, and of
# what ships (the saved network: the single retrain, or since issue 26 with cross-validation
# the fold models' ensemble), the mean reward of the last 100 rollouts, distinct
# architectures sampled. (The step floor and the cross-validated rewards of issue 26 change
# nothing here: 700 training rows are 22 batches an epoch, and the dev split has 100 rows.)
#   tests/ablation/run.sh [OUT_DIR] [SEEDS] [ROLLOUTS]     (default runs/ablation 5 5000)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/ablation}
seeds=${2:-5}
rollouts=${3:-5000}
cargo build --release --quiet
bin=target/release/piconas
data=(--data tests/data/sklearn-moons.csv --split in-order --standardize off)
rows=(
    "the original's rules|"
    "+ previous-token input|--controller-input previous"
    "+ baseline (0.95)|--baseline-decay 0.95"
    "+ summed loss|--loss-per-step sum"
    "+ best-epoch reward|--reward-epoch best"
    "+ exact dev accuracy|--dev-accuracy exact"
    "+ no shaping|--shaping none"
    "+ finalists cross-validated|--finalists 5 --folds 5 --retrains 5"
    "+ best epoch by dev loss|--best-epoch loss"
    "+ the smallest of the tied finalists (piconas)|--selection one-se"
)
mkdir -p "$out"
flags=()
echo "| change | test accuracy, retrains or fold models one by one (mean ± sd) | what ships (mean ± sd) | mean reward, last 100 | distinct architectures |"
echo "|---|---|---|---|---|"
for i in "${!rows[@]}"; do
    name=${rows[$i]%%|*}
    # shellcheck disable=SC2206 # the flags are words
    flags+=(${rows[$i]#*|})
    for ((seed = 0; seed < seeds; seed++)); do
        dir="$out/row$i-seed$seed"
        [ -f "$dir/summary.json" ] || { rm -rf "$dir"; "$bin" --preset original "${data[@]}" \
            "${flags[@]}" --seed "$seed" --rollouts "$rollouts" --quiet --out "$dir" > /dev/null; }
    done
    python3 - "$name" "$out" "$i" "$seeds" <<'PY'
import csv, json, statistics, sys
name, out, i, seeds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tests, ships, last, distinct = [], [], [], []
for seed in range(seeds):
    d = f"{out}/row{i}-seed{seed}"
    s = json.load(open(f"{d}/summary.json"))
    tests.append(100 * s["test_acc_mean"])
    ships.append(100 * s["test_acc"])
    last.append(100 * s["mean_reward_last_100"])
    with open(f"{d}/rollouts.csv") as f:
        distinct.append(len({r["tokens"] for r in csv.DictReader(f)}))
sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
print(f"| {name} | {statistics.mean(tests):.1f} ± {sd(tests):.1f} % | "
      f"{statistics.mean(ships):.1f} ± {sd(ships):.1f} % | {statistics.mean(last):.1f} % | "
      f"{statistics.mean(distinct):.0f} |")
PY
done
