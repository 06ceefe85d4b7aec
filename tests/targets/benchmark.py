#!/usr/bin/env python3
"""The budget benchmark (issue 30): piconas under a hard budget on the ATmega328P against the
embedded models a user would reach for, cut to the same budget.

For each of wine, breast cancer and digits and each split seed (0-4 by default), and each of
two budgets, `--max-flash 2048` and `--max-latency-us 1000`:

- piconas runs with its defaults and `--target atmega328p --folds 1 <budget>` (one network:
  an ensemble multiplies the weights), unless its run directory is complete. A budget no
  network meets is refused by piconas, and reported as such. Its winner's int8 header is then
  measured on the part: the flash of the smallest classifying program (`minimal.c`, avr-gcc
  -Os, avr-size) and the slowest of the first test rows' cycles under simavr (`timing.c`).
- On the same train + dev rows (`split.csv`), each baseline is cut to the same budget: every
  candidate is compiled and timed the same way, those within the budget kept, and the one with
  the best 5-fold cross-validated accuracy on train + dev chosen (a user's tuning, never the
  test rows):
  - emlearn's decision tree (inline C, float thresholds on the raw features), max_depth 1-12;
  - emlearn's random forest, 2, 3, 5 or 10 trees of max_depth 2, 3, 4, 6 or 8;
  - a logistic regression in C (scikit-learn's, the standardisation folded into its float
    coefficients, in flash), whole: it fits or it does not.
  The trees and forests read raw features (a tree is the same on standardised ones); every C
  model's test accuracy is the C's own, built for the host (gcc -ffp-contract=off).

It prints, per budget: each model's mean test accuracy over the splits, its flash and slowest
time on the part, and the paired difference piconas minus it (mean ± standard error).

    target/ci-python/bin/python tests/targets/benchmark.py [--piconas target/release/piconas] \\
        [--out runs/benchmark] [--seeds 5] [--sets wine,breast_cancer,digits] [--csv FILE]

Needs avr-gcc, avr-size, simavr, gcc, and scikit-learn and emlearn (the CI venv has them).
"""

import argparse
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "data"))
import yardstick  # noqa: E402  (the data sets and emlearn's conversion, shared)

SETS = ["wine", "breast_cancer", "digits"]
BUDGETS = {"flash": ("--max-flash", 2048), "latency": ("--max-latency-us", 1000)}
CLOCK_HZ = 16_000_000
TIMED_ROWS = 20
MODELS = ["piconas", "dt", "rf", "lr"]
NAMES = {
    "piconas": "piconas (int8)",
    "dt": "emlearn DecisionTree",
    "rf": "emlearn RandomForest",
    "lr": "LogisticRegression in C",
}
AVR = ["avr-gcc", "-mmcu=atmega328p", "-DF_CPU=16000000UL", "-std=gnu99", "-Os", "-ffp-contract=off"]


def predict_h(header, call, d):
    return f'#include "{header}"\n#define INPUTS {d}\n#define PREDICT(x) ({call})\n'


def on_the_part(work, files, call, d, rows):
    """The flash of `minimal.c` and the slowest cycles of `timing.c` on `rows` (raw features)
    around the model in `files` ({name: text}; the first is the header `call` needs)."""
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
    with open(os.path.join(work, "predict.h"), "w") as f:
        f.write(predict_h(next(iter(files)), call, d))
    with open(os.path.join(work, "rows.h"), "w") as f:
        values = ",".join(f"{float(v)!r}f" for v in np.asarray(rows, np.float32).ravel())
        f.write(f"static const float rows[] PROGMEM = {{{values}}};\n"
                "#define ROWS (int)(sizeof rows / sizeof rows[0] / INPUTS)\n")
    out = {}
    for program in ["minimal", "timing"]:
        elf = os.path.join(work, f"{program}.elf")
        r = subprocess.run(AVR + ["-I", work, os.path.join(HERE, f"{program}.c"), "-o", elf, "-lm"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None  # does not link: too big for the part
        out[program] = elf
    sizes = subprocess.run(["avr-size", "-A", out["minimal"]], capture_output=True, text=True, check=True).stdout
    sections = {l.split()[0]: int(l.split()[1]) for l in sizes.splitlines() if l.startswith(".")}
    flash = sections.get(".text", 0) + sections.get(".data", 0)
    sim = subprocess.run(["timeout", "300", "simavr", "-m", "atmega328p", "-f", str(CLOCK_HZ), out["timing"]],
                         capture_output=True, text=True)
    text = sim.stdout + sim.stderr
    if "c=" not in text:
        raise RuntimeError(f"simavr printed no cycle count: {text}")
    digits = text.split("c=")[1]
    cycles = int(digits[:len(digits) - len(digits.lstrip("0123456789"))])
    return flash, math.ceil(cycles * 1_000_000 / CLOCK_HZ)


def host_classes(work, files, call, d, rows):
    """The C model's classes of `rows`, built for the host."""
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
    src = os.path.join(work, "host.c")
    with open(src, "w") as f:
        f.write(yardstick.HOST_CHECK.format(header=next(iter(files)), d=d, call=call))
    exe = os.path.join(work, "host")
    subprocess.run(["gcc", "-O1", "-std=gnu99", "-ffp-contract=off", "-I", work,
                    f"-I{os.path.dirname(__import__('emlearn').__file__)}", src, "-o", exe, "-lm"],
                   check=True, capture_output=True)
    lines = "\n".join(" ".join(repr(float(v)) for v in row) for row in np.asarray(rows, np.float32))
    got = subprocess.run([exe], input=lines, capture_output=True, text=True, check=True).stdout.split()
    return np.array([int(g) for g in got])


def lr_header(model, scaler, classes):
    """A logistic regression on raw features in C: float coefficients in flash (the
    standardisation folded in), the class of the largest score."""
    w = model.coef_ / scaler.scale_
    b = model.intercept_ - w @ scaler.mean_
    if len(classes) == 2:  # one score: class 1 if positive
        w, b = np.vstack([np.zeros_like(w[0]), w[0]]), np.array([0.0, b[0]])
    k, d = w.shape
    fl = lambda v: f"{float(np.float32(v))!r}f"
    return f"""#include <stdint.h>
#if defined(__AVR__)
#include <avr/pgmspace.h>
#define LR_READ(p) pgm_read_float(p)
#else
#define PROGMEM
#define LR_READ(p) (*(p))
#endif
static const float lr_w[{k * d}] PROGMEM = {{{", ".join(fl(v) for v in w.ravel())}}};
static const float lr_b[{k}] PROGMEM = {{{", ".join(fl(v) for v in b)}}};
static inline int lr_predict(const float *x) {{
    int c, j, best = 0;
    float top = 0.0f;
    for (c = 0; c < {k}; c++) {{
        float z = LR_READ(&lr_b[c]);
        for (j = 0; j < {d}; j++) z += LR_READ(&lr_w[c * {d} + j]) * x[j];
        if (c == 0 || z > top) {{ top = z; best = c; }}
    }}
    return best;
}}
"""


def emlearn_header(model, work):
    import emlearn
    path = os.path.join(work, "model.h")
    here = os.getcwd()
    os.chdir(work)  # emlearn writes a test program into ./tmp
    try:
        emlearn.convert(model, method="inline", dtype="float").save(file=path, name="model")
    finally:
        os.chdir(here)
    with open(path) as f:
        return f.read()


def candidates(key, seed):
    if key == "dt":
        return [DecisionTreeClassifier(max_depth=depth, random_state=seed) for depth in range(1, 13)]
    return [RandomForestClassifier(n_estimators=n, max_depth=depth, random_state=seed)
            for n in [2, 3, 5, 10] for depth in [2, 3, 4, 6, 8]]


def piconas(args, name, seed, budget):
    flag, limit = BUDGETS[budget]
    run = os.path.join(args.out, budget, f"{name}-{seed}")
    if not os.path.exists(os.path.join(run, "summary.json")):
        if os.path.exists(run):
            shutil.rmtree(run)
        r = subprocess.run(
            [args.piconas, "--quiet", "--data", os.path.join(HERE, "..", "data", f"{name}.csv"),
             "--split-seed", str(seed), "--seed", "0", "--out", run, "--target", "atmega328p",
             "--folds", "1", flag, str(limit)], capture_output=True, text=True)
        if r.returncode == 2:
            return run, None, r.stderr.strip()
        r.check_returncode()
    with open(os.path.join(run, "summary.json")) as f:
        return run, json.load(f), None


def measure(args, name, seed, x, y):
    """One split: piconas under each budget, and the baselines cut to each."""
    rows = []
    with tempfile.TemporaryDirectory() as work:
        parts = None
        picked = {}
        for budget in BUDGETS:
            run, summary, refused = piconas(args, name, seed, budget)
            if parts is None and summary is not None:
                with open(os.path.join(run, "split.csv")) as f:
                    parts = list(csv.DictReader(f))
            picked[budget] = (run, summary, refused)
        if parts is None:
            parts = split_rows(args, name, seed)
        learn = [int(r["row"]) for r in parts if r["part"] != "test"]
        test = [int(r["row"]) for r in parts if r["part"] == "test"]
        classes = sorted(set(y))
        y_learn = np.array([classes.index(v) for v in y[learn]])
        y_test = np.array([classes.index(v) for v in y[test]])
        x_learn, x_test = x[learn], x[test]
        timed = x_test[:TIMED_ROWS]
        d = x.shape[1]
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        costs = {}
        for key in ["dt", "rf"]:
            costs[key] = []
            for model in candidates(key, seed):
                model.fit(x_learn, y_learn)
                files = {"model.h": emlearn_header(model, work)}
                call = f"model_predict(x, {d})"
                part = on_the_part(work, files, call, d, timed)
                if part is None:
                    continue
                cv = cross_val_score(model, x_learn, y_learn, cv=folds).mean()
                accuracy = float(np.mean(host_classes(work, files, call, d, x_test) == y_test))
                costs[key].append((model, part, cv, accuracy))
        scaler = StandardScaler().fit(x_learn)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            lr = LogisticRegression(max_iter=5000).fit(scaler.transform(x_learn), y_learn)
        files = {"lr.h": lr_header(lr, scaler, classes)}
        part = on_the_part(work, files, "lr_predict(x)", d, timed)
        accuracy = float(np.mean(host_classes(work, files, "lr_predict(x)", d, x_test) == y_test))
        costs["lr"] = [] if part is None else [(lr, part, 1.0, accuracy)]
        for budget, (run, summary, refused) in picked.items():
            limit = BUDGETS[budget][1]
            within = (lambda p: p[0] <= limit) if budget == "flash" else (lambda p: p[1] <= limit)
            row = {"set": name, "seed": seed, "budget": budget}
            if summary is None:
                row["piconas_refused"] = refused
            else:
                header = subprocess.run([args.piconas, "export", "--run", run, "--format", "c", "--int8"],
                                        check=True, capture_output=True, text=True).stdout
                flash, micros = on_the_part(work, {"piconas.h": header}, "piconas_predict(x)", d, timed)
                row.update(piconas=summary["deploy"]["int8"]["test_accuracy"], piconas_flash=flash,
                           piconas_us=micros, piconas_arch=summary["best_arch"],
                           piconas_within=within((flash, micros)))
            for key in ["dt", "rf", "lr"]:
                fit = [c for c in costs[key] if within(c[1])]
                if not fit:
                    continue
                model, (flash, micros), cv, accuracy = max(fit, key=lambda c: c[2])
                row.update({key: accuracy, f"{key}_flash": flash, f"{key}_us": micros,
                            f"{key}_model": describe(key, model)})
            rows.append(row)
    return rows


def split_rows(args, name, seed):
    """split.csv of a run on this split, when piconas refused both budgets (a short run)."""
    run = os.path.join(args.out, "split", f"{name}-{seed}")
    if not os.path.exists(os.path.join(run, "split.csv")):
        if os.path.exists(run):
            shutil.rmtree(run)
        subprocess.run([args.piconas, "--quiet", "--data", os.path.join(HERE, "..", "data", f"{name}.csv"),
                        "--split-seed", str(seed), "--rollouts", "1", "--out", run],
                       check=True, capture_output=True)
    with open(os.path.join(run, "split.csv")) as f:
        return list(csv.DictReader(f))


def describe(key, model):
    if key == "dt":
        return f"depth {model.max_depth}"
    if key == "rf":
        return f"{model.n_estimators}×depth {model.max_depth}"
    return "whole"


def mean_se(values):
    m = statistics.mean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return m, se


def tables(rows, sets):
    out = []
    for budget, (flag, limit) in BUDGETS.items():
        out.append(f"\n`{flag} {limit}` (test accuracy, mean over the splits; flash in bytes and the "
                   "slowest time in µs on the part, their largest over the splits):\n")
        out.append("| data | " + " | ".join(NAMES[m] for m in MODELS) + " |")
        out.append("|---|" + "---|" * len(MODELS))
        for name in sets:
            rs = [r for r in rows if r["set"] == name and r["budget"] == budget]
            cells = []
            for m in MODELS:
                have = [r for r in rs if m in r]
                if not have:
                    cells.append("no model fits")
                    continue
                text = (f"{100 * statistics.mean(r[m] for r in have):.1f} % "
                        f"({max(r[f'{m}_flash'] for r in have):,} B, {max(r[f'{m}_us'] for r in have):,} µs)")
                if len(have) < len(rs):
                    text += f"; fits {len(have)} of {len(rs)} splits"
                cells.append(text)
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("\nPaired, piconas minus each (points, mean ± standard error over the splits both fit):\n")
        out.append("| data | " + " | ".join(NAMES[m] for m in MODELS[1:]) + " |")
        out.append("|---|" + "---|" * (len(MODELS) - 1))
        for name in sets:
            rs = [r for r in rows if r["set"] == name and r["budget"] == budget and "piconas" in r]
            cells = []
            for m in MODELS[1:]:
                pairs = [100 * (r["piconas"] - r[m]) for r in rs if m in r]
                if not pairs:
                    cells.append("—")
                    continue
                mean, se = mean_se(pairs)
                cells.append(f"{mean:+.1f} ± {se:.1f} ({len(pairs)})")
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    refused = sorted({(r["set"], r["budget"], r["piconas_refused"]) for r in rows if "piconas_refused" in r})
    for name, budget, message in refused:
        out.append(f"\npiconas refused {name} under the {budget} budget: {message}")
    outside = [r for r in rows if r.get("piconas_within") is False]
    out.append(f"\npiconas winners over their budget on the part: {len(outside)}")
    out.append("\nChosen: " + "; ".join(
        f"{r['set']} {r['seed']} {r['budget']}: piconas {r.get('piconas_arch', '—')}, "
        f"dt {r.get('dt_model', '—')}, rf {r.get('rf_model', '—')}" for r in rows))
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--piconas", default="target/release/piconas")
    p.add_argument("--out", default="runs/benchmark")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--csv", help="also write every split's figures to this file")
    args = p.parse_args()
    args.piconas, args.out = os.path.abspath(args.piconas), os.path.abspath(args.out)
    sets = args.sets.split(",")
    rows = []
    for name in sets:
        x, y = yardstick.read(name)
        for seed in range(args.seeds):
            rows += measure(args, name, seed, x, y)
            print(f"{name} split {seed} done", file=sys.stderr)
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=sorted({k for r in rows for k in r}))
            w.writeheader()
            w.writerows(rows)
    print(tables(rows, sets))


if __name__ == "__main__":
    main()
