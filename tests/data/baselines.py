#!/usr/bin/env python3
"""piconas against scikit-learn on the committed data sets, on the very same splits.

For each data set and split seed 0-4 it runs piconas (unless that run directory is already
complete), reads the run's split.csv (which file rows trained, picked and tested), and fits
scikit-learn's LogisticRegression, SVC and MLPClassifier(16, 16) on train + dev (standardised
with StandardScaler, as piconas standardises), scoring each on the test rows. It prints the
README's table: test accuracy as mean ± sd over the five splits, and parameter counts.

    python3 -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn
    cargo build --release
    /tmp/skl/bin/python tests/data/baselines.py [--piconas target/release/piconas] [--out runs/baselines]
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = range(5)
# Each data set and the piconas flags it runs with: the small ones score each child by
# 5-fold cross-validation (their dev split is 15 or 17 rows).
SETS = [
    ("iris", ["--reward-folds", "5"]),
    ("wine", ["--reward-folds", "5"]),
    ("digits", []),
]


def read(name):
    with open(os.path.join(HERE, f"{name}.csv")) as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in rows])
    y = np.array([r[-1] for r in rows])
    return header, x, y


def piconas_run(binary, name, flags, seed, out):
    run = os.path.join(out, f"{name}-{seed}")
    if not os.path.exists(os.path.join(run, "summary.json")):
        subprocess.run(
            [binary, "--quiet", "--data", os.path.join(HERE, f"{name}.csv"),
             "--split-seed", str(seed), "--out", run] + flags,
            check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(run, "network.json")) as f:
        net = json.load(f)
    with open(os.path.join(run, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(run, "split.csv")) as f:
        parts = list(csv.DictReader(f))
    return net, summary, parts


def mlp_params(d, k, hidden=(16, 16)):
    widths = [d, *hidden, k if k > 2 else 1]
    return sum((a + 1) * b for a, b in zip(widths, widths[1:]))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--piconas", default="target/release/piconas")
    p.add_argument("--out", default="runs/baselines")
    args = p.parse_args()
    print("| data set | rows × features, classes | piconas (test, saved network) | its parameters "
          "| LogisticRegression | SVC (RBF) | MLPClassifier(16, 16) | MLP parameters |")
    print("|---|---|---|---|---|---|---|---|")
    for name, flags in SETS:
        _, x, y = read(name)
        k = len(set(y))
        scores = {m: [] for m in ("piconas", "lr", "svc", "mlp")}
        params = []
        for seed in SEEDS:
            net, summary, parts = piconas_run(args.piconas, name, flags, seed, args.out)
            scores["piconas"].append(net["test_accuracy"])
            params.append(len(net["weights"]))
            learn = [int(r["row"]) for r in parts if r["part"] != "test"]
            test = [int(r["row"]) for r in parts if r["part"] == "test"]
            models = {
                "lr": LogisticRegression(max_iter=5000),
                "svc": SVC(),
                "mlp": MLPClassifier((16, 16), max_iter=2000, random_state=seed),
            }
            for key, model in models.items():
                pipe = make_pipeline(StandardScaler(), model).fit(x[learn], y[learn])
                scores[key].append(pipe.score(x[test], y[test]))
        cell = lambda v: f"{100 * statistics.mean(v):.1f} ± {100 * statistics.stdev(v):.1f} %"
        lr_params = (x.shape[1] + 1) * (k if k > 2 else 1)
        print(f"| {name} | {x.shape[0]} × {x.shape[1]}, {k} | {cell(scores['piconas'])} "
              f"| {min(params)}–{max(params)} | {cell(scores['lr'])} ({lr_params} parameters) "
              f"| {cell(scores['svc'])} | {cell(scores['mlp'])} | {mlp_params(x.shape[1], k)} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
