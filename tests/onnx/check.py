"""Checks an exported ONNX model (`piconas export --format onnx`) with onnxruntime against the
host: every test row's class must be the host's, and every probability within 1e-6 of it.

    python check.py MODEL.onnx TEST.json [TOLERANCE]
        (TEST.json from `export --format onnx-test`, or rows with the classes and
        probabilities `piconas predict` gave them; TOLERANCE 1e-6 unless given)

Prints one line, PASS or FAIL first; exits 0 only on PASS."""

import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

TOLERANCE = 1e-6


def main(model_path, test_path, tolerance=TOLERANCE):
    tolerance = float(tolerance)
    onnx.checker.check_model(onnx.load(model_path), full_check=True)
    with open(test_path) as f:
        test = json.load(f)
    x = np.asarray(test["x"], dtype=np.float32)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    logits, probabilities, classes = session.run(["logits", "probabilities", "class"], {"x": x})
    host_classes = np.asarray(test["classes"], dtype=np.int64)
    host_probabilities = np.asarray(test["probabilities"], dtype=np.float64)
    wrong = int((classes != host_classes).sum())
    gap = float(np.abs(probabilities.astype(np.float64) - host_probabilities).max())
    ok = wrong == 0 and gap <= tolerance and logits.shape == probabilities.shape
    print(
        f"{'PASS' if ok else 'FAIL'} onnx: {len(x)} test rows, {x.shape[1]} features, "
        f"{probabilities.shape[1]} classes: {wrong} classes differ from the host's, largest "
        f"probability gap {gap:.2e} (tolerance {tolerance:.0e}); onnxruntime {ort.__version__}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
