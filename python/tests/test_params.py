"""The estimator's constructor is the settings table's, written out (python/generate.py), and
the extension module's stub (``_piconas.pyi``) names what the module has."""

import ast
import inspect
import pathlib

import piconas
from piconas import PicoNASClassifier, _estimator, _piconas
from piconas._table import BEGIN, END, EXTRA, MAX_CLASSES, MAX_FEATURES, SETTINGS, init_source


def test_the_committed_constructor_is_the_tables():
    source = inspect.getsource(_estimator)
    block = BEGIN + source.split(BEGIN, 1)[1].split(END, 1)[0] + END + "\n"
    assert block == init_source(), "run python/generate.py and commit _estimator.py"
    params = inspect.signature(PicoNASClassifier.__init__).parameters
    names = [s["name"] for s in SETTINGS] + [n for n, _, _ in EXTRA]
    assert list(params)[1:] == names
    assert all(p.kind is p.KEYWORD_ONLY for p in list(params.values())[1:])
    assert {n: params[n].default for n in names} == \
        {**{s["name"]: s["default"] for s in SETTINGS}, **{n: d for n, d, _ in EXTRA}}


def test_capacities_are_the_cores():
    assert (MAX_FEATURES, MAX_CLASSES) == _piconas.capacities() == (64, 10)


def test_the_stub_names_every_function_of_the_extension():
    stub = pathlib.Path(piconas.__file__).parent / "_piconas.pyi"
    tree = ast.parse(stub.read_text())
    stubbed = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    module = {n for n in dir(_piconas) if callable(getattr(_piconas, n)) and not n.startswith("_")}
    assert stubbed == module
    # And each class's public methods and properties.
    for c in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        methods = {f.name for f in c.body if isinstance(f, ast.FunctionDef)} - {"__init__"}
        have = {m for m in dir(getattr(_piconas, c.name)) if not m.startswith("_")}
        assert methods == have, c.name
    assert (pathlib.Path(piconas.__file__).parent / "py.typed").exists()
