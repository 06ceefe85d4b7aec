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

def check_network(name: str, json: str) -> tuple[list[str], list[str]]:
    """Checks a network file; returns its features' and classes' names."""

def predict(network_json: str, x: bytes) -> tuple[bytes, bytes]:
    """Each row's class index (bytes) and class probabilities (float32 bytes)."""

def export(network_json: str, format: str, train: Optional[bytes] = None) -> bytes:
    """The network in ``format`` (one of ``export_formats()``), as ``piconas export`` writes
    it."""

def run_settings(dir: str, network_json: str) -> tuple[str, Optional[bytes]]:
    """A run directory's settings JSON, and its train split's inputs when its data is there."""

def resolve(spec_json: str) -> str:
    """Settings JSON checked and written out whole."""
