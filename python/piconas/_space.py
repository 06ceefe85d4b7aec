"""The whole space as a table, from Python: each shard is a plain function of its inputs, so
any scheduler (Dask, Ray, ``multiprocessing``, a batch queue) can spread the shards over cores
or machines, and ``merge_shards`` joins them into the table one process makes, bit for bit
(``piconas enumerate`` does the same from the command line; docs/reference.md, "The whole
space")."""

from ._estimator import PicoNASClassifier
from . import _piconas


def enumerate_shard(X, y, shard=(0, 1), child_seeds=1, max_tokens=6, threads=None, **params):
    """Trains part ``shard = (i, n)`` of the table of the whole space on ``X``, ``y`` (every
    ``n``-th canonical architecture from the ``i``-th), each architecture ``child_seeds``
    times, sequences of at most ``max_tokens`` tokens, under the estimator's parameters
    ``params`` (``PicoNASClassifier``'s: the children's settings, the split, ``seed``).
    Returns the shard's bytes (``space.bin``'s format); the GIL is released while it trains,
    and Ctrl-C stops it."""
    model = PicoNASClassifier(**{**params, "threads": threads})
    _, data = model._data(X, y)
    index, count = shard
    return _piconas.enumerate_shard(*data, model._spec(), index, count, child_seeds,
                                    max_tokens, model._threads())


def merge_shards(shards):
    """The table of finished ``shards`` (bytes from ``enumerate_shard``): every shard of one
    table, in any order; a ``ValueError`` names what does not fit."""
    return _piconas.merge_shards(list(shards))


def table_csv(table, n_features, n_classes):
    """A table's bytes as ``space.csv`` (per architecture: number, tokens, the sequences it
    stands for, mean reward and spread, each child seed's reward, parameters, multiply-adds
    and the int8 header's bytes of constants on ``n_features`` inputs and ``n_classes``
    classes; the int8 header reads raw features, standardised or not, at the same cost)."""
    return _piconas.table_csv(table, n_features, n_classes)
