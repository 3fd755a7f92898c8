import os
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scenarios"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def write_idx_split(folder, prefix, images, labels):
    """Write uint8 ``images`` (n, 28, 28) and ``labels`` (n,) as the two gzip IDX files of a split."""
    import gzip
    import struct

    with gzip.open(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, len(images), 28, 28) + images.astype(np.uint8).tobytes())
    with gzip.open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", 0x801, len(labels)) + labels.astype(np.uint8).tobytes())


@pytest.fixture(scope="session")
def mnist_like(tmp_path_factory):
    """A small MNIST-shaped data set (600 train, 200 test) whose classes are learnable: class k lights row band k."""
    folder = tmp_path_factory.mktemp("mnist_like")
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 600), ("t10k", 200)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 60, (n, 28, 28))
        for i, k in enumerate(labels):
            images[i, 2 * k + 4:2 * k + 7, 4:24] = 255
        write_idx_split(folder, prefix, images, labels)
    return folder
