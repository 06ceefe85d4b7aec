"""piconas: neural architecture search small enough for a microcontroller, from Python.

``PicoNASClassifier`` is a scikit-learn estimator over piconas's Rust engine: ``fit`` runs the
search (a GRU controller trained by REINFORCE samples small MLPs, each trained on your data),
and the winner predicts, exports to C, int8 C or ONNX, and saves as a run directory that the
``piconas`` command line reads. The same data, seed and settings give the same bits as the
command line.
"""

from ._estimator import PicoNASClassifier
from ._piconas import export_formats
from ._space import enumerate_shard, merge_shards, table_csv

__all__ = ["PicoNASClassifier", "enumerate_shard", "export_formats", "merge_shards", "table_csv"]
__version__ = "0.1.0"
