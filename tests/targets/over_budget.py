#!/usr/bin/env python3
"""Measures what a search does best with the architectures over its budget: `--over-budget
zero` (not trained, reward 0: the controller learns to avoid them) against `filter` (trained
and rewarded as usual, only kept out of the finalists), paired by seed.

    python3 tests/targets/over_budget.py [BINARY] [SEEDS] [ROLLOUTS]

BINARY defaults to target/release/piconas, SEEDS to 10 (0 … SEEDS − 1), ROLLOUTS to 1000.
Prints, per data set and rule, the mean test accuracy of the saved network, the rollouts spent
over the budget and the wall time; then the paired difference zero − filter (mean ± standard
error over the seeds). Python 3 only, no packages.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
#: Each data set with the benchmark's budgets on the Uno (one network: 2 KB of flash and 1 ms),
#: which leave out most of the space.
CASES = [
    ("wine", ["--folds", "1", "--max-flash", "2048", "--max-latency-us", "1000"]),
    ("breast_cancer", ["--folds", "1", "--max-flash", "2048", "--max-latency-us", "1000"]),
]


def run(binary, data, budget, rule, seed, rollouts):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run")
        args = [binary, "--quiet", "--data", os.path.join(DATA, data + ".csv"), "--target",
                "atmega328p", *budget, "--over-budget", rule, "--seed", str(seed),
                "--rollouts", str(rollouts), "--out", out]
        text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
    line = next(l for l in text.splitlines() if l.startswith("budget"))
    over = int(line.split("; ")[1].split(" of ")[0])
    return summary["test_acc"], over, summary["seconds"], summary["best_arch"]


def mean_se(xs):
    m = sum(xs) / len(xs)
    var = sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
    return m, math.sqrt(var / len(xs))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/piconas"
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rollouts = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    for data, budget in CASES:
        results = {}
        for rule in ["zero", "filter"]:
            results[rule] = [run(binary, data, budget, rule, s, rollouts) for s in range(seeds)]
            acc = [100 * r[0] for r in results[rule]]
            print(f"{data} ({' '.join(budget)}), {rule}: test accuracy "
                  f"{sum(acc) / seeds:.2f} %, {sum(r[1] for r in results[rule]) / seeds:.0f} of "
                  f"{rollouts} rollouts over the budget, {sum(r[2] for r in results[rule]) / seeds:.1f} s; "
                  f"winners {', '.join(sorted(set(r[3] for r in results[rule])))}")
        diff = [100 * (z[0] - f[0]) for z, f in zip(results["zero"], results["filter"])]
        m, se = mean_se(diff)
        print(f"{data}: zero − filter {m:+.2f} ± {se:.2f} points (paired over seeds 0–{seeds - 1})")


if __name__ == "__main__":
    main()
