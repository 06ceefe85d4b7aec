#!/usr/bin/env python3
"""The yardstick: piconas's deployed winner against the models a user would pick by hand.

For each of iris, wine, breast cancer and digits and each split seed (0-9 by default) it runs
piconas with its defaults (unless that run directory is already complete), reads the run's
split.csv (which file rows trained, picked and tested) and summary.json, and fits on the same
train + dev rows, standardised as piconas standardises them, scikit-learn's
LogisticRegression, DecisionTreeClassifier(max_depth=8), RandomForestClassifier(10 trees,
max_depth=8), MLPClassifier(16, 16) and SVC, each scored on the same test rows.

What ships is measured, not what was searched: piconas's figure is the test accuracy of its
saved network's int8 C header (summary.json's deploy block; the float one beside it).

Beside accuracy, the bytes each model needs on an ATmega328P (an Arduino Uno): piconas's int8
header, and emlearn's conversions of the tree, the forest and the MLP, each behind the same
small main() (read the features, predict, keep the class) compiled with
`avr-gcc -Os -mmcu=atmega328p`; flash is .text + .data. A conversion that does not link (too
big for 32 KB of flash or 2 KB of RAM) is reported as such. Each emlearn conversion is also
compiled for the host and must give scikit-learn's class for every test row (the count of
rows that differ is reported).

It prints the tables of docs/data.md: mean test accuracy per model, the paired differences
(piconas minus each baseline, mean ± standard error over the splits), and the AVR flash.

    python3 -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn==1.9.1 emlearn==0.23.2
    cargo build --release
    /tmp/skl/bin/python tests/data/yardstick.py [--piconas target/release/piconas] \\
        [--out runs/yardstick] [--seeds 10] [--jobs 2] [--sets iris,wine] [--no-avr] \\
        [-- extra piconas flags]
"""

import argparse
import concurrent.futures
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import warnings

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
SETS = ["iris", "wine", "breast_cancer", "digits"]
BASELINES = ["lr", "dt", "rf", "mlp", "svc"]
NAMES = {
    "lr": "LogisticRegression",
    "dt": "DecisionTree(max_depth=8)",
    "rf": "RandomForest(10 trees, max_depth=8)",
    "mlp": "MLP(16, 16)",
    "svc": "SVC (RBF)",
}
# The goal compares piconas with the best of these (SVC is shown, not a goal).
GOAL = ["lr", "dt", "rf", "mlp"]
# What emlearn converts, and how (trees as inline C with float thresholds, so that the C
# classifies the standardised features exactly as scikit-learn does).
EMLEARN = {"dt": {"method": "inline", "dtype": "float"}, "rf": {"method": "inline", "dtype": "float"}, "mlp": {}}

CWD_LOCK = threading.Lock()

HARNESS = """#include <stdint.h>
#include "{header}"
volatile {ftype} in[{d}];
volatile int32_t out;
int main(void) {{
    {ftype} x[{d}];
    int i;
    for (i = 0; i < {d}; i++) x[i] = in[i];
    out = {call};
    for (;;) {{
    }}
}}
"""

HOST_CHECK = """#include <stdint.h>
#include <stdio.h>
#include "{header}"
int main(void) {{
    float x[{d}];
    int i;
    while (1) {{
        for (i = 0; i < {d}; i++) if (scanf("%f", &x[i]) != 1) return 0;
        printf("%d\\n", (int){call});
    }}
}}
"""


def read(name):
    with open(os.path.join(HERE, f"{name}.csv")) as f:
        rows = list(csv.reader(f))
    x = np.array([[float(v) for v in r[:-1]] for r in rows[1:]])
    y = np.array([r[-1] for r in rows[1:]])
    return x, y


def piconas_run(binary, name, seed, out, flags, threads):
    run = os.path.join(out, f"{name}-{seed}")
    if not os.path.exists(os.path.join(run, "summary.json")):
        if os.path.exists(run):
            shutil.rmtree(run)
        subprocess.run(
            [binary, "--quiet", "--data", os.path.join(HERE, f"{name}.csv"),
             "--split-seed", str(seed), "--seed", "0", "--out", run] + threads + flags,
            check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(run, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(run, "split.csv")) as f:
        parts = list(csv.DictReader(f))
    return run, summary, parts


def avr_flash(work, header_text, header, ftype, d, call, include=()):
    """Flash bytes of the harness around `header` for the ATmega328P, or None if it does not link."""
    with open(os.path.join(work, header), "w") as f:
        f.write(header_text)
    main = os.path.join(work, "main.c")
    with open(main, "w") as f:
        f.write(HARNESS.format(header=header, ftype=ftype, d=d, call=call))
    elf = os.path.join(work, "main.elf")
    flags = [f"-I{p}" for p in include]
    r = subprocess.run(["avr-gcc", "-Os", "-mmcu=atmega328p", "-std=gnu99", *flags, main, "-o", elf, "-lm"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    sizes = subprocess.run(["avr-size", "-A", elf], capture_output=True, text=True, check=True).stdout
    sections = {l.split()[0]: int(l.split()[1]) for l in sizes.splitlines() if l.startswith(".")}
    return sections.get(".text", 0) + sections.get(".data", 0)


def host_mismatches(work, header, d, call, include, x_test, expected):
    """How many test rows the C conversion, built for the host, classifies otherwise than `expected`."""
    src = os.path.join(work, "check.c")
    with open(src, "w") as f:
        f.write(HOST_CHECK.format(header=header, d=d, call=call))
    exe = os.path.join(work, "check")
    subprocess.run(["gcc", "-O1", "-std=gnu99", *[f"-I{p}" for p in include], src, "-o", exe, "-lm"],
                   check=True, capture_output=True)
    rows = "\n".join(" ".join(repr(float(v)) for v in row) for row in x_test)
    got = subprocess.run([exe], input=rows, capture_output=True, text=True, check=True).stdout.split()
    return sum(int(g) != int(e) for g, e in zip(got, expected)) + abs(len(got) - len(expected))


def measure(args, name, seed, x, y):
    """One split: piconas's run, the baselines on the same rows, and the AVR bytes."""
    threads = ["--threads", "1"] if args.jobs > 1 else []
    run, summary, parts = piconas_run(args.piconas, name, seed, args.out, args.flags, threads)
    learn = [int(r["row"]) for r in parts if r["part"] != "test"]
    test = [int(r["row"]) for r in parts if r["part"] == "test"]
    scaler = StandardScaler().fit(x[learn])
    x_learn, x_test = scaler.transform(x[learn]), scaler.transform(x[test])
    classes = sorted(set(y))
    y_learn = np.array([classes.index(v) for v in y[learn]])
    y_test = np.array([classes.index(v) for v in y[test]])
    models = {
        "lr": LogisticRegression(max_iter=5000),
        "dt": DecisionTreeClassifier(max_depth=8, random_state=seed),
        "rf": RandomForestClassifier(n_estimators=10, max_depth=8, random_state=seed),
        "mlp": MLPClassifier((16, 16), max_iter=2000, random_state=seed),
        "svc": SVC(),
    }
    row = {
        "set": name,
        "seed": seed,
        "piconas_int8": summary["deploy"]["int8"]["test_accuracy"],
        "piconas_float": summary["test_acc"],
        "piconas_arch": summary["best_arch"],
        "piconas_members": summary["members"],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for key, model in models.items():
            model.fit(x_learn, y_learn)
            row[key] = float(model.score(x_test, y_test))
    if not args.no_avr:
        import emlearn
        include = [os.path.dirname(emlearn.__file__)]
        d = x.shape[1]
        with tempfile.TemporaryDirectory() as work:
            header = subprocess.run(
                [args.piconas, "export", "--run", run, "--format", "c", "--int8"],
                check=True, capture_output=True, text=True).stdout
            row["flash_piconas"] = avr_flash(work, header, "piconas.h", "float", d, "piconas_predict(x)")
            for key, options in EMLEARN.items():
                path = os.path.join(work, "model.h")
                # emlearn compiles a test program of a converted network into ./tmp: convert
                # in the work directory (one thread at a time, as the working directory is the
                # process's; every other path here is absolute).
                with CWD_LOCK:
                    here = os.getcwd()
                    os.chdir(work)
                    try:
                        converted = emlearn.convert(models[key], **options)
                        converted.save(file=path, name="model")
                    finally:
                        os.chdir(here)
                with open(path) as f:
                    text = f.read()
                row[f"flash_{key}"] = avr_flash(work, text, "model.h", "float", d, f"model_predict(x, {d})", include)
                expected = models[key].predict(x_test)
                row[f"mismatch_{key}"] = host_mismatches(
                    work, "model.h", d, f"model_predict(x, {d})", include,
                    x_test.astype(np.float32), expected)
    return row


def mean_se(values):
    m = statistics.mean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return m, se


def tables(rows, sets, no_avr):
    out = []
    cell = lambda v: f"{100 * statistics.mean(v):.1f} %"
    out.append("Test accuracy, mean over the splits (piconas: its saved network's int8 C header, as deployed; float beside it):\n")
    out.append("| data set | splits | piconas int8 | piconas float | " + " | ".join(NAMES[b] for b in BASELINES) + " |")
    out.append("|---|---|---|---|" + "---|" * len(BASELINES))
    for name in sets:
        rs = [r for r in rows if r["set"] == name]
        if not rs:
            continue
        out.append(f"| {name} | {len(rs)} | {cell([r['piconas_int8'] for r in rs])} | {cell([r['piconas_float'] for r in rs])} | "
                   + " | ".join(cell([r[b] for r in rs]) for b in BASELINES) + " |")
    out.append("\nPaired differences, piconas int8 minus each baseline, split by split (points; mean ± standard error):\n")
    out.append("| data set | " + " | ".join(NAMES[b] for b in BASELINES) + " | best of the four goal baselines | goal (≥ −0.5) |")
    out.append("|---|" + "---|" * (len(BASELINES) + 2))
    for name in sets:
        rs = [r for r in rows if r["set"] == name]
        if not rs:
            continue
        cells = []
        for b in BASELINES:
            m, se = mean_se([100 * (r["piconas_int8"] - r[b]) for r in rs])
            cells.append(f"{m:+.1f} ± {se:.1f}")
        best = max(GOAL, key=lambda b: statistics.mean(r[b] for r in rs))
        m, se = mean_se([100 * (r["piconas_int8"] - r[best]) for r in rs])
        out.append(f"| {name} | " + " | ".join(cells) + f" | {NAMES[best]}: {m:+.1f} ± {se:.1f} | {'met' if m >= -0.5 else 'not met'} |")
    if not no_avr:
        out.append("\nAVR flash (ATmega328P, avr-gcc -Os; the same main() around each model), bytes, mean (min–max) over the splits:\n")
        out.append("| data set | piconas int8 header | emlearn DecisionTree | emlearn RandomForest (10) | emlearn MLP(16, 16) | piconas ≤ forest |")
        out.append("|---|---|---|---|---|---|")
        for name in sets:
            rs = [r for r in rows if r["set"] == name]
            if not rs:
                continue
            cells = []
            for key in ["flash_piconas", "flash_dt", "flash_rf", "flash_mlp"]:
                linked = [r[key] for r in rs if r.get(key) is not None]
                failed = len(rs) - len(linked)
                text = f"{statistics.mean(linked):,.0f} ({min(linked):,}–{max(linked):,})" if linked else "—"
                if failed:
                    text += f"; does not link on {failed} of {len(rs)}"
                cells.append(text)
            fits = sum(1 for r in rs if r.get("flash_piconas") is not None
                       and (r.get("flash_rf") is None or r["flash_piconas"] <= r["flash_rf"]))
            out.append(f"| {name} | " + " | ".join(cells) + f" | {fits} of {len(rs)} splits |")
        mism = {k: sum(r.get(f"mismatch_{k}", 0) or 0 for r in rows) for k in EMLEARN}
        out.append("\nemlearn's C, built for the host, classified the test rows as scikit-learn does, but for "
                   + ", ".join(f"{v} rows ({NAMES[k]})" for k, v in mism.items()) + ".")
    out.append("\npiconas's winners: " + "; ".join(
        f"{name}: " + ", ".join(f"{r['piconas_arch']}" for r in rows if r["set"] == name) for name in sets))
    return "\n".join(out)


def main():
    argv = sys.argv[1:]
    flags = []
    if "--" in argv:
        i = argv.index("--")
        argv, flags = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--piconas", default="target/release/piconas")
    p.add_argument("--out", default="runs/yardstick")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--no-avr", action="store_true")
    p.add_argument("--csv", help="also write every split's figures to this file")
    args = p.parse_args(argv)
    args.flags = flags
    # Absolute paths: emlearn's conversions change the process's working directory for a moment.
    args.piconas, args.out = os.path.abspath(args.piconas), os.path.abspath(args.out)
    sets = args.sets.split(",")
    data = {name: read(name) for name in sets}
    jobs = [(name, seed) for name in sets for seed in range(args.seeds)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda j: measure(args, j[0], j[1], *data[j[0]]), jobs))
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=sorted({k for r in rows for k in r}))
            w.writeheader()
            w.writerows(rows)
    print(tables(rows, sets, args.no_avr))


if __name__ == "__main__":
    main()
