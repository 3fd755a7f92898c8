"""Memory checks: a run that cannot fit is refused before its first step, not killed in it.

``check_memory`` raises ``UsageError`` when an estimate (``dense_bytes``, ``record_all_bytes``,
``batch_bytes``) is more than the memory available now (``memory_available``) or a set limit.
"""
import numpy as np

from .usage import UsageError


def memory_available():
    """Bytes of memory available now (``MemAvailable``), or None where it cannot be read."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(nbytes, what, hint, limit=None):
    """Refuse (``UsageError``) up front what needs more memory than ``limit`` (default: what is available)."""
    words = "allowed" if limit is not None else "available"
    limit = memory_available() if limit is None else limit
    if limit is not None and nbytes > limit:
        raise UsageError(f"{what} needs about {nbytes / 2**30:,.1f} GiB, more than the {limit / 2**30:,.1f} GiB {words}; {hint}")


def dense_bytes(sizes, dtype, batch_size, state_copies=2):
    """Bytes a dense network of ``sizes`` needs to train: weights, their gradients and optimizer state
    (``state_copies``: Adam keeps 2), and a batch's neurons and deltas."""
    weights = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    neurons = sum(sizes) * min(batch_size, 60_000) * 3  # neurons, deltas, input sums (a batch is at most the data)
    return (weights * (2 + state_copies) + neurons) * np.dtype(dtype).itemsize


def record_all_bytes(sizes, capacity=1000, itemsize=8):
    """Bytes ``Network.record_all(capacity)`` keeps for a dense network of ``sizes``: every neuron and
    delta, every weight, ``capacity`` times."""
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return capacity * itemsize * (2 * sum(sizes) - sizes[0] + weights)


def batch_bytes(network, batch):
    """About the bytes one training batch of ``network`` needs beyond its weights: every layer's neurons,
    deltas, input sums and the buffers map layers keep (im2col, masks), counted as 8 copies."""
    return 8 * batch * sum(la.num_neurons for la in network.layers) * network.input.dtype.itemsize


HISTORY_LIMIT = 2**30
"""The most bytes a scenario's recorded histories may take before it refuses to start (1 GiB)."""
