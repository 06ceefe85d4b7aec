"""The same bits as the command line: one data set given as a CSV to `piconas` and as arrays to
PicoNASClassifier, the same seed and settings, compared file by file and bit by bit."""

import csv
import io
import pathlib
import subprocess

import numpy as np
import pytest

from conftest import write_csv
import piconas
from piconas import PicoNASClassifier

SETTINGS = dict(rollouts=40, seed=3, max_epochs=30, finalists=2, retrains=2)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, wine, cli):
    """The command line's run directory and the estimator fitted on the same data (the CLI on
    one thread, Python on two: the numbers do not depend on it)."""
    X, y = wine
    base = tmp_path_factory.mktemp("cli")
    write_csv(base / "wine.csv", X, y)
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in SETTINGS.items()]
    cli("--data", base / "wine.csv", *flags, "--threads", 1, "--quiet", "--out", base / "run")
    model = PicoNASClassifier(**SETTINGS, threads=2, progress=False).fit(X, y)
    return base, model


def read(path):
    return pathlib.Path(path).read_bytes()


def test_history_is_rollouts_csv(runs):
    base, model = runs
    assert model._rollouts_csv.encode() == read(base / "run" / "rollouts.csv")
    rows = list(csv.DictReader(io.StringIO(read(base / "run" / "rollouts.csv").decode())))
    history = model.history_
    assert len(history) == len(rows) == SETTINGS["rollouts"]
    for name in ("reward", "entropy", "baseline", "beta", "accuracy", "log_prob", "loss"):
        expected = np.array([float(r[name]) for r in rows], dtype=np.float32)
        got = np.asarray(history[name], dtype=np.float32)
        assert (got.view(np.uint32) == expected.view(np.uint32)).all(), name
    assert list(history["tokens"]) == [r["tokens"] for r in rows]
    assert list(history["index"]) == list(range(SETTINGS["rollouts"]))


def test_frontier_and_network_are_the_cli_files(runs):
    base, model = runs
    assert model._frontier_csv.encode() == read(base / "run" / "frontier.csv")
    assert model.network_json_.encode() == read(base / "run" / "network.json")
    frontier = model.frontier_
    assert model.best_arch_ in set(frontier["tokens"])
    assert frontier["frontier"].any()


def test_predictions_are_piconas_predict(runs, wine, cli):
    base, model = runs
    X, _ = wine
    rng = np.random.default_rng(0)
    new = (X[rng.choice(len(X), 50)] * rng.uniform(0.9, 1.1, (50, X.shape[1]))).astype(np.float32)
    write_csv(base / "new.csv", new)
    cli("predict", "--run", base / "run", "--data", base / "new.csv", "--out", base / "pred.csv")
    rows = list(csv.reader(io.StringIO(read(base / "pred.csv").decode())))
    header, rows = rows[0], rows[1:]
    assert header == ["class"] + list(model.classes_)
    assert list(model.predict(new)) == [r[0] for r in rows]
    expected = np.array([[float(c) for c in r[1:]] for r in rows], dtype=np.float32)
    assert (model.predict_proba(new).view(np.uint32) == expected.view(np.uint32)).all()


def test_every_format_python_offers_is_piconas_exports(runs, cli, tmp_path):
    # Python's formats are the library's table (less those needing the raw test split): each
    # one is the command line's format of that name, byte for byte.
    base, model = runs
    offered = piconas.export_formats()
    assert {"json", "c", "c-int8", "onnx"} <= set(offered)
    for fmt in offered:
        cli("export", "--run", base / "run", "--format", fmt, "--out", tmp_path / fmt)
        assert model.export(fmt) == read(tmp_path / fmt), fmt
    # The wrappers are the same formats.
    assert model.to_c_header().encode() == model.export("c")
    assert model.to_c_header(int8=True).encode() == model.export("c-int8")
    assert model.to_onnx() == model.export("onnx")
    with pytest.raises(ValueError, match=", ".join(offered)):
        model.export("c-test")


def test_load_reads_a_cli_run(runs, wine):
    base, model = runs
    loaded = PicoNASClassifier.load(base / "run")
    params = loaded.get_params()
    assert {k: params[k] for k in SETTINGS} == SETTINGS
    assert list(loaded.classes_) == list(model.classes_)
    X, _ = wine
    assert (loaded.predict_proba(X).view(np.uint32) == model.predict_proba(X).view(np.uint32)).all()
    assert loaded._rollouts_csv == model._rollouts_csv
    # Its data file is still there: the int8 header is calibrated as the CLI's.
    assert loaded.to_c_header(int8=True) == model.to_c_header(int8=True)


def test_the_cli_reads_a_saved_fit(runs, cli, tmp_path):
    base, model = runs
    model.save(tmp_path / "saved")
    for name in ("rollouts.csv", "frontier.csv", "network.json"):
        assert read(tmp_path / "saved" / name) == read(base / "run" / name), name
    assert cli("export", "--run", tmp_path / "saved", "--format", "c") == \
        model.to_c_header().encode()
    again = PicoNASClassifier.load(tmp_path / "saved")
    assert again.get_params() == model.get_params()
    assert again.to_c_header(int8=True) == model.to_c_header(int8=True)
    assert list(again.history_["reward"]) == list(model.history_["reward"])


def test_onnx_runs_in_onnxruntime(runs, wine):
    ort = pytest.importorskip("onnxruntime")
    _, model = runs
    X, _ = wine
    session = ort.InferenceSession(model.to_onnx())
    names = [o.name for o in session.get_outputs()]
    out = dict(zip(names, session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})))
    classes, _ = model._predict(X)
    assert (out["class"].reshape(-1) == classes).all()
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_c_header_compiles_and_agrees(runs, wine, tmp_path):
    """The float header, compiled with -ffp-contract=off, gives Python's classes and
    probabilities bit for bit."""
    _, model = runs
    X, _ = wine
    model.to_c_header(path=tmp_path / "piconas.h")
    x = X.astype(np.float32)
    rows = ",\n".join(", ".join(float(v).hex() + "f" for v in row) for row in x)
    (tmp_path / "main.c").write_text(f"""
#include <stdio.h>
#include <string.h>
#include "piconas.h"
static const float X[{len(x)}][PICONAS_INPUTS] = {{{{{rows.replace(chr(10), "}, {")}}}}};
int main(void) {{
    for (int r = 0; r < {len(x)}; r++) {{
        float p[PICONAS_CLASSES]; unsigned b;
        printf("%d", piconas_predict(X[r]));
        piconas_predict_proba(X[r], p);
        for (int c = 0; c < PICONAS_CLASSES; c++) {{ memcpy(&b, &p[c], 4); printf(" %08x", b); }}
        printf("\\n");
    }}
    return 0;
}}
""")
    subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off", "-O2",
                    "-o", tmp_path / "main", tmp_path / "main.c", "-lm"], check=True)
    lines = subprocess.run([tmp_path / "main"], capture_output=True, check=True).stdout.split(b"\n")
    got = [line.split() for line in lines if line]
    classes, proba = model._predict(X)
    assert [int(g[0]) for g in got] == list(classes)
    assert [[int(b, 16) for b in g[1:]] for g in got] == proba.view(np.uint32).tolist()


def test_the_original_preset_is_the_clis(tmp_path, wine, cli):
    X, y = wine
    write_csv(tmp_path / "wine.csv", X, y)
    cli("--preset", "original", "--data", tmp_path / "wine.csv", "--rollouts", 30, "--seed", 1,
        "--max-epochs", 20, "--quiet", "--out", tmp_path / "run")
    model = PicoNASClassifier.preset("original", rollouts=30, seed=1, max_epochs=20,
                                     progress=False).fit(X, y)
    assert model.controller_input == "zeros" and model.shaping == "original"
    assert model._rollouts_csv.encode() == read(tmp_path / "run" / "rollouts.csv")
    assert model.network_json_.encode() == read(tmp_path / "run" / "network.json")
    # The shaping's penalties are in the rewards (below the accuracy for some rollouts).
    assert (model.history_["reward"] < model.history_["accuracy"]).any()


def test_load_keeps_labels_that_only_look_alike(cli, tmp_path):
    """Labels "+1", "01" and "1" are three classes: read back as the strings they are, never
    as one integer."""
    rng = np.random.default_rng(0)
    names = ["+1", "01", "1"]
    y = np.arange(150) % 3
    X = rng.normal(size=(150, 2)) + y[:, None] * 3.0
    with open(tmp_path / "d.csv", "w") as f:
        f.write("a,b,label\n")
        for row, c in zip(X, y):
            f.write(f"{row[0]},{row[1]},{names[c]}\n")
    cli("--data", tmp_path / "d.csv", "--rollouts", 6, "--max-epochs", 2, "--quiet",
        "--out", tmp_path / "run")
    loaded = PicoNASClassifier.load(tmp_path / "run")
    assert sorted(loaded.classes_.tolist()) == sorted(names)
    assert set(loaded.predict(X)) <= set(names)


@pytest.mark.parametrize("fmt", [["c", "--int8"], ["c-test"], ["onnx-test"]])
def test_exports_of_a_saved_fit_that_need_its_data_refuse_saying_why(runs, piconas_bin, fmt,
                                                                    tmp_path):
    """A directory save() wrote has no data file to rebuild the split from: the formats
    that need it refuse (exit 2, never an empty file with exit 0) and point at Python's own
    int8 export."""
    _, model = runs
    model.save(tmp_path / "saved")
    done = subprocess.run([str(piconas_bin), "export", "--run", str(tmp_path / "saved"),
                           "--format", *fmt], capture_output=True)
    assert done.returncode == 2 and done.stdout == b""
    assert "no settings.json beside network.json" in done.stderr.decode()
    assert "to_c_header(int8=True)" in done.stderr.decode()
