"""Which real data sets are on this machine, for the tests that need one (they skip otherwise)."""
import functools

import pytest

from simnet.data import DatasetNotFoundError, find_files


@functools.cache
def have(name, split):
    """True when ``name``'s ``split`` is found locally (nothing is downloaded)."""
    try:
        find_files(name, split, download=False)
    except DatasetNotFoundError:
        return False
    return True


needs_mnist_test = pytest.mark.skipif(not have("mnist", "test"),
                                      reason="MNIST test set not found (see ../shared/datasets/README.md)")
needs_mnist_full = pytest.mark.skipif(not (have("mnist", "train") and have("mnist", "test")),
                                      reason="full MNIST not found (set SIMNET_DATA, see ../shared/datasets/README.md)")
