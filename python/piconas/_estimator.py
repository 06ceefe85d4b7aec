"""The scikit-learn estimator: Python's arguments in, the Rust engine's results out.

The constructor's parameters are the core's settings table (``_piconas.settings()``, the rows
the command line's flags and the page's form come from), built the way ``dataclasses`` builds
an ``__init__``, plus how the rows are split and scaled (the command line's ``--split``,
``--split-seed``, ``--standardize``) and how the search runs (threads, a progress bar).
"""

import csv
import io
import json
import numbers
import os
import sys

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _piconas
from ._table import EXTRA, MAX_CLASSES, MAX_FEATURES, SETTINGS, doc

#: The run directory's files that ``save`` and ``load`` share with the command line, by role
#: (``piconas::output::run_files``): ``settings``, ``network``, ``rollouts``, ``frontier``.
_FILES = _piconas.run_file_names()

#: rollouts.csv's columns and their types (``piconas::output::ROLLOUT_COLUMNS``).
ROLLOUT_TYPES = {"index": np.int32, "tokens": str, "epochs": np.int32}
#: frontier.csv's columns and their types (``piconas::frontier::csv``).
FRONTIER_TYPES = {"tokens": str, "macs": np.int64, "params": np.int64, "flash_bytes": np.int64,
                  "ram_bytes": np.int64, "latency_us": np.int64, "samples": np.int32,
                  "mean_accuracy": np.float32, "frontier": bool}


def _table(text, types):
    """A CSV text (header first) as a structured array, or a DataFrame with pandas; columns
    not in ``types`` are float32. The floats are written in their shortest exact form, so
    each one reads back to the engine's bits."""
    rows = list(csv.reader(io.StringIO(text)))
    names, rows = rows[0], rows[1:]
    columns = []
    for i, name in enumerate(names):
        kind = types.get(name, np.float32)
        cells = [r[i] for r in rows]
        if kind is bool:
            values = np.array([c == "true" for c in cells], dtype=bool)
        elif kind is str:
            values = np.array(cells, dtype=f"U{max([1] + [len(c) for c in cells])}")
        else:
            values = np.array(cells, dtype=np.float64 if kind is np.float32 else kind)
            values = values.astype(kind)
        columns.append(values)
    array = np.empty(len(rows), dtype=[(n, c.dtype) for n, c in zip(names, columns)])
    for name, values in zip(names, columns):
        array[name] = values
    try:
        import pandas
    except ImportError:
        return array
    return pandas.DataFrame(array)


def _write(path, data):
    """Writes ``data`` (bytes or str) to ``path`` whole: a temporary file, then a rename."""
    tmp = f"{path}.piconas-tmp"
    with open(tmp, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    os.replace(tmp, path)


class _Progress:
    """The progress bar of a fit: tqdm if installed, else a line on stderr."""

    def __init__(self, total, on):
        self.total, self.best, self.bar = total, float("-inf"), None
        self.on = on
        if on:
            try:
                from tqdm.auto import tqdm
                self.bar = tqdm(total=total, unit="rollout", desc="piconas")
            except ImportError:
                pass

    def __call__(self, index, reward, tokens):
        if not self.on:
            return
        if reward > self.best:
            self.best, self.arch = reward, tokens
        if self.bar is not None:
            self.bar.update(1)
            if (index + 1) % 100 == 0:
                self.bar.set_postfix_str(f"best {self.best:.3f} {self.arch}")
        elif (index + 1) % max(1, self.total // 100) == 0 or index + 1 == self.total:
            print(f"\rpiconas: {index + 1}/{self.total} rollouts, best {self.best:.3f} "
                  f"{self.arch}", end="", file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        elif self.on:
            print(file=sys.stderr)


class PicoNASClassifier(ClassifierMixin, BaseEstimator):
    __doc__ = f"""Neural architecture search for a small MLP classifier (piconas).

    ``fit`` runs the search on ``X`` (n × d, d ≤ {MAX_FEATURES}) and ``y`` (2 to {MAX_CLASSES}
    classes, any label type): a GRU controller samples architectures, each child is trained
    on the train split and scored on the dev split, and REINFORCE trains the controller; the
    finalists are retrained and the winner predicts. The GIL is released during the search;
    Ctrl-C stops it with KeyboardInterrupt.

    Parameters
    ----------
{doc()}

    Attributes
    ----------
    classes_ : ndarray of the class labels, sorted.
    n_features_in_ : int.
    feature_names_in_ : ndarray of str, when X had column names.
    best_arch_ : str, the winner's architecture, e.g. ``[16, ReLU, 8, Tanh]``.
    history_ : per-rollout records (rollouts.csv): a structured array, or a DataFrame when
        pandas is installed.
    frontier_ : every architecture seen with its cost and whether it is on the
        accuracy/size frontier (frontier.csv), as ``history_``.
    network_json_ : str, the winner as ``network.json``.
    dev_accuracy_, test_accuracy_ : the winner's accuracy on the dev and test splits.
    """

    # BEGIN GENERATED by python/generate.py from the settings table; do not edit.
    def __init__(
        self,
        *,
        rollouts=5000,
        seed=0,
        strategy='reinforce',
        hidden='64',
        rollouts_per_update=1,
        child_lr=0.01,
        max_epochs=100,
        patience=10,
        min_steps=1000,
        weight_decay=0.0,
        metric='accuracy',
        reward_folds=0,
        rungs='auto',
        rung_eta=3,
        controller_lr=0.01,
        entropy_weight=0.01,
        max_grad_norm=None,
        baseline_decay=0.95,
        controller_input='previous',
        loss_per_step='sum',
        reward_epoch='best',
        best_epoch='loss',
        dev_accuracy='exact',
        shaping='none',
        finalists=5,
        retrains=5,
        folds=5,
        population=64,
        tournament=16,
        selection='one-se',
        cost_weight=0.0,
        cost='macs',
        target='host',
        over_budget='zero',
        max_flash=0,
        max_ram=0,
        max_latency_us=0,
        split='stratified',
        split_seed=0,
        standardize=True,
        threads=None,
        progress=True,
    ):
        """Every parameter is keyword-only; see the class."""
        self.rollouts = rollouts
        self.seed = seed
        self.strategy = strategy
        self.hidden = hidden
        self.rollouts_per_update = rollouts_per_update
        self.child_lr = child_lr
        self.max_epochs = max_epochs
        self.patience = patience
        self.min_steps = min_steps
        self.weight_decay = weight_decay
        self.metric = metric
        self.reward_folds = reward_folds
        self.rungs = rungs
        self.rung_eta = rung_eta
        self.controller_lr = controller_lr
        self.entropy_weight = entropy_weight
        self.max_grad_norm = max_grad_norm
        self.baseline_decay = baseline_decay
        self.controller_input = controller_input
        self.loss_per_step = loss_per_step
        self.reward_epoch = reward_epoch
        self.best_epoch = best_epoch
        self.dev_accuracy = dev_accuracy
        self.shaping = shaping
        self.finalists = finalists
        self.retrains = retrains
        self.folds = folds
        self.population = population
        self.tournament = tournament
        self.selection = selection
        self.cost_weight = cost_weight
        self.cost = cost
        self.target = target
        self.over_budget = over_budget
        self.max_flash = max_flash
        self.max_ram = max_ram
        self.max_latency_us = max_latency_us
        self.split = split
        self.split_seed = split_seed
        self.standardize = standardize
        self.threads = threads
        self.progress = progress
    # END GENERATED
    @classmethod
    def preset(cls, name, **params):
        """An estimator with a preset's settings (the command line's ``--preset NAME``), then
        ``params`` over them. ``"original"``: the original's code, rule by rule."""
        presets = _piconas.presets()
        if name not in presets:
            raise ValueError(f"unknown preset {name!r}; one of {sorted(presets)}")
        return cls(**{**presets[name], **params})

    def _spec(self):
        """The settings as ``settings.json`` holds them, each setting as the text the engine
        reads (``None`` as ``none``, the core's word for unset): the engine's reader checks
        every parameter, its kind and range, and names it."""
        spec = {s["name"]: _text(getattr(self, s["name"])) for s in SETTINGS}
        if isinstance(self.split_seed, bool) or not isinstance(self.split_seed, numbers.Integral):
            raise ValueError(f"split_seed must be an integer, got {self.split_seed!r}")
        spec.update(split=str(self.split), split_seed=int(self.split_seed),
                    standardize=bool(self.standardize))
        return json.dumps(spec)

    def _threads(self):
        if self.threads is None:
            return 0
        if isinstance(self.threads, bool) or not isinstance(self.threads, numbers.Integral) \
                or self.threads < 1:
            raise ValueError(f"threads must be a positive integer or None, got {self.threads!r}")
        return int(self.threads)

    def fit(self, X, y):
        """Runs the search on ``X``, ``y`` and keeps the winner. Returns self. A fit that does
        not finish (bad input, Ctrl-C) leaves the estimator unfitted, never holding an
        earlier fit's model under these parameters."""
        self._unfit()
        classes, data = self._data(X, y)
        spec, threads = self._spec(), self._threads()
        bar = _Progress(self.rollouts, bool(self.progress))
        try:
            out = _piconas.fit(*data, spec, threads, bar if bar.on else None)
        finally:
            bar.close()
        self.classes_ = classes
        self._fitted(_piconas.Model(_FILES["network"], out["network"]), out["rollouts"],
                     out["frontier"], np.frombuffer(out["train"], dtype=np.float32))
        self.speculation_ = out["speculation"]
        return self

    def _data(self, X, y):
        """``X`` and ``y`` checked as scikit-learn checks them and as the engine takes them:
        the classes, and (float32 bytes, class-index bytes, class names, feature names)."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], y_numeric=False)
        check_classification_targets(y)
        classes, labels = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y has one class only ({classes[0]!r}); a classifier needs "
                             f"2 to {MAX_CLASSES} classes")
        if len(classes) > MAX_CLASSES:
            raise ValueError(f"y has {len(classes)} classes; at most {MAX_CLASSES} are supported")
        if X.shape[1] > MAX_FEATURES:
            raise ValueError(f"X has {X.shape[1]} features; at most {MAX_FEATURES} are supported")
        names = getattr(self, "feature_names_in_", None)
        features = [str(n) for n in names] if names is not None else \
            [f"x{i + 1}" for i in range(X.shape[1])]
        data = (_float32(X).tobytes(), labels.astype(np.uint8).tobytes(),
                [str(c) for c in classes], features)
        return classes, data

    def _unfit(self):
        """Forgets every fitted attribute (scikit-learn's: names ending in ``_``) and the
        files kept for ``save``."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)
        self._rollouts_csv = self._frontier_csv = self._train = self._model = None

    def _fitted(self, network, rollouts, frontier, train):
        """Sets the fitted state from the run's files (and the int8 calibration rows);
        ``network`` is the parsed ``_piconas.Model``, which predict and export use."""
        self._model = network
        self.network_json_ = network.json
        saved = json.loads(network.json)
        self.best_arch_ = saved["arch"]
        self.dev_accuracy_ = saved["dev_accuracy"]
        self.test_accuracy_ = saved["test_accuracy"]
        self._rollouts_csv, self._frontier_csv, self._train = rollouts, frontier, train
        self.history_ = _table(rollouts, ROLLOUT_TYPES) if rollouts is not None else None
        self.frontier_ = _table(frontier, FRONTIER_TYPES) if frontier is not None else None

    def _predict(self, X):
        check_is_fitted(self, "network_json_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        classes, proba = self._model.predict(_float32(X).tobytes())
        return (np.frombuffer(classes, dtype=np.uint8),
                np.frombuffer(proba, dtype=np.float32).reshape(X.shape[0], len(self.classes_)))

    def predict(self, X):
        """Each row's class, as ``piconas predict`` gives it."""
        classes, _ = self._predict(X)
        return self.classes_[classes]

    def predict_proba(self, X):
        """Each row's class probabilities (float32, classes in ``classes_`` order)."""
        return self._predict(X)[1].copy()

    def export(self, format, path=None):
        """The winner in ``format``, one of ``piconas.export_formats()`` (the library's table of
        formats, less those needing the raw test split, which an estimator does not keep): the
        bytes ``piconas export --format FORMAT`` writes. Written to ``path`` if given; returns
        the bytes."""
        check_is_fitted(self, "network_json_")
        data = self._model.export(format, None if self._train is None else self._train.tobytes())
        if path is not None:
            _write(path, data)
        return data

    def to_c_header(self, int8=False, path=None):
        """The winner as one C99/C++ header (``piconas export --format c [--int8]``): float, or
        integer-only int8 calibrated on the train split. Written to ``path`` if given;
        returns the text."""
        return self.export("c-int8" if int8 else "c", path).decode()

    def to_onnx(self, path=None):
        """The winner as an ONNX model (``piconas export --format onnx``): outputs ``logits``,
        ``probabilities`` and ``class``. Written to ``path`` if given; returns the bytes."""
        return self.export("onnx", path)

    def save(self, directory):
        """Writes the fit as a run directory (new or empty) that ``piconas predict`` and
        ``piconas export`` read and ``load`` reads back: network.json, rollouts.csv and
        frontier.csv as the command line writes them, the estimator's parameters and classes
        (estimator.json), and the int8 calibration rows (train_inputs.npy)."""
        check_is_fitted(self, "network_json_")
        directory = os.fspath(directory)
        if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
            raise ValueError(f"{directory}: exists and is not an empty directory")
        os.makedirs(directory, exist_ok=True)
        _write(os.path.join(directory, _FILES["network"]), self.network_json_)
        for name, text in ((_FILES["rollouts"], self._rollouts_csv),
                           (_FILES["frontier"], self._frontier_csv)):
            if text is not None:
                _write(os.path.join(directory, name), text)
        if self._train is not None:
            buffer = io.BytesIO()
            np.save(buffer, self._train)
            _write(os.path.join(directory, "train_inputs.npy"), buffer.getvalue())
        state = {"params": self.get_params(), "classes": self.classes_.tolist(),
                 "feature_names_in": getattr(self, "feature_names_in_", np.array([])).tolist()}
        _write(os.path.join(directory, "estimator.json"), json.dumps(state, indent=2) + "\n")

    @classmethod
    def load(cls, directory):
        """A fitted estimator from a run directory: one ``save`` wrote, or one the command
        line made (its settings.json gives the parameters; its data file, if still there,
        the int8 calibration)."""
        directory = os.fspath(directory)
        def read(name):
            path = os.path.join(directory, name)
            if not os.path.exists(path):
                return None
            with open(path, encoding="utf-8") as f:
                return f.read()
        network = read(_FILES["network"])
        if network is None:
            raise ValueError(f"{directory}: no {_FILES['network']}; is it a finished piconas run?")
        network = _piconas.Model(os.path.join(directory, _FILES["network"]), network)
        features, classes = network.features, network.classes
        state, train, names = read("estimator.json"), None, None
        if state is not None:
            state = json.loads(state)
            params, classes = state["params"], state["classes"]
            names = state.get("feature_names_in") or None
            npy = os.path.join(directory, "train_inputs.npy")
            if os.path.exists(npy):
                train = np.load(npy)
        elif read(_FILES["settings"]) is not None:
            settings, train_bytes = _piconas.run_settings(directory, network)
            settings = json.loads(settings)
            params = {k: v for k, v in settings.items() if k in cls._get_param_names()}
            if train_bytes is not None:
                train = np.frombuffer(train_bytes, dtype=np.float32)
            # Integers only when each name is an integer's own text: "+1", "01" and "1"
            # are three classes, kept as the strings they are.
            if all(_is_int(c) for c in classes):
                classes = [int(c) for c in classes]
        else:
            params = {}
        model = cls(**params)
        model.classes_ = np.array(classes)
        model.n_features_in_ = len(features)
        if names is not None:
            model.feature_names_in_ = np.array(names, dtype=object)
        model._fitted(network, read(_FILES["rollouts"]), read(_FILES["frontier"]), train)
        model.speculation_ = None
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags




def _text(value):
    """A parameter's value as the engine's settings reader takes it: ``None`` is ``none``
    (unset); anything else its ``str`` (``True`` is no number, ``2.5`` no integer)."""
    return "none" if value is None else str(value)


def _is_int(text):
    """Whether ``text`` is the way Python writes some integer (not ``+1``, ``01`` or ``1_0``)."""
    try:
        return str(int(text)) == text
    except ValueError:
        return False


def _float32(X):
    """``X`` as C-contiguous float32, every value finite (a float64 beyond float32's range
    would become infinite)."""
    x = np.ascontiguousarray(X, dtype=np.float32)
    if not np.isfinite(x).all():
        raise ValueError("X has values too large for float32 (beyond ±3.4e38)")
    return x
