"""Type stubs of the Rust extension module (python/src/lib.rs): the bridge the estimator uses.
Floats cross as ``bytes`` of little-endian float32; settings as ``settings.json`` text."""

from typing import Callable, Optional

def settings() -> list[dict[str, object]]:
    """The settings table's rows a fit takes: name, kind, default, help, bounds or choices."""

def capacities() -> tuple[int, int]:
    """The most features and classes a network takes (the core's capacities)."""

def split_modes() -> list[str]:
    """The split modes' names, the default first."""

def presets() -> dict[str, dict[str, object]]:
    """Each preset's name and the settings it changes."""

def run_file_names() -> dict[str, str]:
    """A run directory's file names, by role: settings, network, rollouts, frontier."""

def export_formats() -> list[str]:
    """The export formats an estimator offers (the library's table)."""

def fit(
    x: bytes,
    labels: bytes,
    classes: list[str],
    features: list[str],
    spec_json: str,
    threads: int,
    progress: Optional[Callable[[int, float, str], None]] = None,
) -> dict[str, object]:
    """Runs a search; returns network, rollouts, frontier, train, test_accuracy and
    speculation."""

class Model:
    """A network file, parsed and checked once; predict and export use it. Pickles."""

    def __init__(self, name: str, json: str) -> None:
        """Parses and checks ``network.json`` text (``name`` in errors)."""

    @property
    def features(self) -> list[str]:
        """The features' names, in the order the network reads them."""

    @property
    def classes(self) -> list[str]:
        """The classes' names, in class order."""

    @property
    def json(self) -> str:
        """The file's text, as given."""

    def predict(self, x: bytes) -> tuple[bytes, bytes]:
        """Each row's class index (bytes) and class probabilities (float32 bytes)."""

    def export(self, format: str, train: Optional[bytes] = None) -> bytes:
        """The network in ``format`` (one of ``export_formats()``), as ``piconas export``
        writes it."""

def run_settings(dir: str, network: Model) -> tuple[str, Optional[bytes]]:
    """A run directory's settings JSON, and its train split's inputs when its data is there."""

def enumerate_shard(
    x: bytes,
    labels: bytes,
    classes: list[str],
    features: list[str],
    spec_json: str,
    shard_index: int,
    shard_count: int,
    child_seeds: int,
    max_tokens: int,
    threads: int,
) -> bytes:
    """Part ``shard_index`` of ``shard_count`` of the table of the whole space: its bytes."""

def merge_shards(shards: list[bytes]) -> bytes:
    """The table of every finished shard of one table, joined."""

def table_csv(table: bytes, features: int, classes: int, standardize: bool = True) -> str:
    """A table's bytes as ``space.csv``."""
