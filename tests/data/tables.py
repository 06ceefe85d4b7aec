#!/usr/bin/env python3
"""Writes the committed real data sets from scikit-learn's bundled copies (1.9.1).

Each is a CSV with a header and the label in the last column (the class name as scikit-learn
gives it). Feature names are scikit-learn's with spaces as underscores and no parentheses;
digits' pixels are p0 ... p63. Values are written in Python's shortest round-trip form, so
the files hold scikit-learn's numbers exactly.

    python3 -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn==1.9.1
    /tmp/skl/bin/python tests/data/tables.py [DIR]     # writes DIR/{iris,wine,digits,breast_cancer}.csv
"""

import csv
import os
import re
import sys

from sklearn import datasets

SETS = ["iris", "wine", "digits", "breast_cancer"]


def column(name):
    return re.sub(r" +", "_", re.sub(r"[()]", "", name.strip()))


def number(v):
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name in SETS:
        bunch = getattr(datasets, f"load_{name}")()
        features = ([f"p{i}" for i in range(bunch.data.shape[1])] if name == "digits"
                    else [column(n) for n in bunch.feature_names])
        with open(os.path.join(out, f"{name}.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(features + ["class"])
            for x, y in zip(bunch.data, bunch.target):
                w.writerow([number(v) for v in x] + [str(bunch.target_names[y])])


if __name__ == "__main__":
    main()
