"""The whole space's table from Python: shards as plain functions, joined into the table one
process (and the command line) makes, on a real dask.distributed LocalCluster too."""

import subprocess

import numpy as np
import pytest
from dask.distributed import Client, LocalCluster

from piconas import enumerate_shard, merge_shards, table_csv

#: Small tables: short children, sequences of at most two tokens (86 architectures).
SMALL = dict(max_tokens=2, child_seeds=2, max_epochs=4, min_steps=0, seed=3)


def blobs(n=90, seed=1):
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [3, 3], [0, 3]], dtype=float)
    y = rng.integers(0, 3, n)
    return (centres[y] + rng.normal(0, 0.8, (n, 2))).astype(np.float32), y


def test_shards_join_into_the_whole_table():
    X, y = blobs()
    whole = enumerate_shard(X, y, **SMALL)
    parts = [enumerate_shard(X, y, shard=(i, 3), threads=1, **SMALL) for i in range(3)]
    assert merge_shards(reversed(parts)) == whole
    csv = table_csv(whole, 2, 3).splitlines()
    assert len(csv) == 1 + 86
    assert csv[0] == ("number,tokens,sequences,reward_mean,reward_spread,reward_0,reward_1,"
                      "params,macs,int8_bytes")
    # [] is a 2 × 3 layer: 6 int8 weights, 3 int32 biases, a member weight, and 7 bytes a
    # feature for the integer front (shift, offset, multiplier).
    assert csv[1].startswith('0,"[]",1,') and csv[1].endswith(",9,6,36")
    with pytest.raises(ValueError, match="1 of the 3 shards"):
        merge_shards(parts[:1])
    with pytest.raises(ValueError, match="shard"):
        enumerate_shard(X, y, shard=(3, 3), **SMALL)
    with pytest.raises(ValueError, match="^max_epochs must be"):
        enumerate_shard(X, y, **{**SMALL, "max_epochs": 0})


def test_a_shard_is_the_command_lines_table(tmp_path, piconas_bin):
    # The same data as a CSV file: the command line's table is the same bytes.
    X, y = blobs()
    path = tmp_path / "blobs.csv"
    rows = [f"{a!r},{b!r},{c}" for (a, b), c in zip(X.tolist(), y)]
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    out = tmp_path / "table"
    subprocess.run([str(piconas_bin), "enumerate", "--quiet", "--data", str(path),
                    "--max-tokens", "2", "--child-seeds", "2", "--max-epochs", "4",
                    "--min-steps", "0", "--seed", "3", "--out", str(out)], check=True)
    assert (out / "space.bin").read_bytes() == enumerate_shard(X, y, **SMALL)


def test_shards_scheduled_by_dask_on_a_local_cluster_are_the_whole_table():
    X, y = blobs()
    whole = enumerate_shard(X, y, **SMALL)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        futures = [client.submit(enumerate_shard, X, y, shard=(i, 4), threads=1, **SMALL)
                   for i in range(4)]
        parts = client.gather(futures)
        workers = len(client.scheduler_info()["workers"])
    assert workers == 2
    assert merge_shards(parts) == whole
