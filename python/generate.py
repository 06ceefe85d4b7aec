#!/usr/bin/env python3
"""Rewrites the generated constructor of ``PicoNASClassifier`` in piconas/_estimator.py from
the settings table of the installed package (``piconas._table.init_source``): run it after a
setting is added or changed, with the package rebuilt, and commit the result.
``python/tests/test_params.py`` fails while the committed constructor is out of date.

    target/ci-python/bin/python python/generate.py
"""

import pathlib
import sys

# The installed package (with its extension module), not the source folder beside this file.
here = pathlib.Path(__file__).resolve().parent
sys.path = [p for p in sys.path if pathlib.Path(p or ".").resolve() != here]
from piconas._table import BEGIN, END, init_source  # noqa: E402

path = here / "piconas" / "_estimator.py"
text = path.read_text()
if BEGIN not in text or END not in text:
    sys.exit(f"{path}: no generated block ({BEGIN.strip()!r} … {END.strip()!r})")
head, rest = text.split(BEGIN, 1)
_, tail = rest.split(END, 1)
new = head + init_source() + tail.lstrip("\n")
if new != text:
    path.write_text(new)
    print(f"{path}: constructor rewritten")
else:
    print(f"{path}: constructor up to date")
