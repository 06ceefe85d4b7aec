#!/usr/bin/env python3
"""The original's own data: scikit-learn's make_moons(1000, noise=0.2) after
numpy.random.seed(0), written as tests/data/sklearn-moons.csv in the original's order.

The original splits these rows in order 700/100/200 (train, dev, test); piconas reads the file
the same way with `--split in-order --standardize off`:

    cargo run --release -- --data tests/data/sklearn-moons.csv --split in-order --standardize off

Written by this script with scikit-learn 1.9.1 and NumPy 2.4.6 (any version that keeps
make_moons' and the legacy global NumPy generator's sequences gives the same file; the values
are float64, printed with repr, and piconas rounds them to the nearest f32):

    python3 -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn
    /tmp/skl/bin/python tests/data/sklearn_moons.py
"""

import os

import numpy as np
import sklearn.datasets

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    np.random.seed(0)
    x, y = sklearn.datasets.make_moons(1000, noise=0.2)
    with open(os.path.join(HERE, "sklearn-moons.csv"), "w", newline="\n") as out:
        out.write("x1,x2,label\n")
        for (a, b), label in zip(x.tolist(), y.tolist()):
            out.write(f"{a!r},{b!r},{label}\n")


if __name__ == "__main__":
    main()
