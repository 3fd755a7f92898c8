"""Soak test: a million per-sample training steps with every history on, and memory stays flat.

Not part of the default run (it takes a minute or two).  Run it with::

    pytest -m slow -s

``-s`` shows the figures it measures: time, and resident memory at the start, after the
warm-up, in the middle and at the end.
"""
import os
import resource
import time

import numpy as np
import pytest

from simnet import History, Network
from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP, build_layers

STEPS = 1_000_000  # per-sample steps: 250,000 iterations over the four streetlights
SAMPLE_EVERY = 50_000  # steps between memory samples
WARM_UP = 100_000  # steps before the baseline sample
MAX_GROWTH = 4 * 2**20  # bytes of resident memory the run may gain after the warm-up


def rss():
    """Resident set size of this process, in bytes (from /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc/self/statm (Linux)")
def test_a_million_steps_with_full_history_keep_memory_flat():
    x, y = STREETLIGHTS, WALK_VS_STOP
    np.random.seed(0)
    layers = build_layers((4,))
    inputs, hidden, output = layers
    network = Network(layers)
    network.record_all()  # every neuron, delta and weight, capacity 1000 each
    sample_errors, average = History((4,), name="error/samples"), History((), name="error/average")
    network.histories.update({"error/samples": sample_errors, "error/average": average})
    history_bytes = sum(h.nbytes for h in network.all_histories().values())

    samples = [(0, rss())]
    errors = np.zeros(4)
    started = time.perf_counter()
    step = 0
    for iteration in range(STEPS // 4):
        for i in range(4):  # the scenario's loop, every call checked
            inputs.set_neurons(x[i])
            for layer in layers:
                layer.train()
            delta = output.calc_delta(y[i])
            errors[i] = np.sum(delta ** 2)
            for layer in reversed(layers):
                layer.learn(0.2)
            step += 1
            if step % SAMPLE_EVERY == 0:
                samples.append((step, rss()))
        sample_errors.offer(iteration, errors)
        average.offer(iteration, errors.mean())
    network.close_histories(iteration, errors, errors.mean())
    seconds = time.perf_counter() - started

    steps, sizes = np.array(samples).T
    baseline = sizes[steps == WARM_UP][0]
    growth = sizes[steps >= WARM_UP].max() - baseline
    mib = 2**20
    middle = sizes[steps == STEPS // 2][0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"\n{STEPS:,} per-sample steps in {seconds:.1f} s ({seconds / STEPS * 1e6:.1f} us per step), "
          f"history {history_bytes / mib:.2f} MiB preallocated")
    print(f"RSS: start {sizes[0] / mib:.1f} MiB, after warm-up ({WARM_UP:,} steps) {baseline / mib:.1f} MiB, "
          f"middle {middle / mib:.1f} MiB, end {sizes[-1] / mib:.1f} MiB; growth after warm-up "
          f"{growth / 1024:.0f} KiB; peak {peak / mib:.1f} MiB")
    print("samples (step: MiB): " + ", ".join(f"{int(s):,}: {r / mib:.2f}" for s, r in samples))

    assert growth < MAX_GROWTH, f"resident memory grew {growth / mib:.1f} MiB after the warm-up"
    assert sum(h.nbytes for h in network.all_histories().values()) == history_bytes  # never reallocated
    for key, h in network.all_histories().items():
        assert len(h) <= h.capacity + 1, key
        assert h.steps[0] == 0, key
    assert hidden.history("weights").steps[-1] == STEPS  # the initial snapshot plus one per learn()
    np.testing.assert_array_equal(hidden.history("weights").values[-1], hidden.weight_row_mat)
    assert average.steps[-1] == STEPS // 4 - 1 and average.values[-1] <= 1e-3  # it learned, and kept learning
