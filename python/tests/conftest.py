"""Shared fixtures: a real data set and the command line built from the same tree."""

import os
import pathlib
import subprocess

import numpy as np
import pytest
from sklearn.datasets import load_wine

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def piconas_bin():
    """The `piconas` binary: $PICONAS_BIN, else target/release/piconas of this tree (CI
    builds it before this suite)."""
    path = pathlib.Path(os.environ.get("PICONAS_BIN", ROOT / "target" / "release" / "piconas"))
    assert path.exists(), f"{path}: build it first (cargo build --release)"
    return path


@pytest.fixture(scope="session")
def cli(piconas_bin):
    """Runs `piconas ARGS…` and returns its stdout (bytes); a failure fails the test."""
    def run(*args):
        done = subprocess.run([str(piconas_bin), *map(str, args)], capture_output=True)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout
    return run


@pytest.fixture(scope="session")
def wine():
    """scikit-learn's wine data (178 rows, 13 features, 3 classes) as float32 values, with
    text labels: X, y."""
    data = load_wine()
    X = data.data.astype(np.float32).astype(np.float64)
    y = np.array(["barolo", "grignolino", "barbera"])[data.target]
    return X, y


def write_csv(path, X, y=None, header=True):
    """X (and y as a `label` column) as the command line reads it: each value in float32's
    shortest exact text, so the file holds the very values Python passes."""
    with open(path, "w") as f:
        if header:
            names = [f"x{i + 1}" for i in range(X.shape[1])] + ([] if y is None else ["label"])
            f.write(",".join(names) + "\n")
        for i, row in enumerate(X):
            cells = [repr(float(np.float32(v))) for v in row]
            f.write(",".join(cells + ([] if y is None else [str(y[i])])) + "\n")
