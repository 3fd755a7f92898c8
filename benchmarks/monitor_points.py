"""What the layers' monitor points cost when nothing listens: one simnet tree against another.

The explorer, the monitors, layer health and watchpoints all listen on the layers' monitor points
(``SimpleLayer.listen``); with no listener a point is a loop over an empty list.  This runs the
same training with two source trees (``--base``, e.g. a checkout of the commit before the points
were added, and ``--new``, this tree), each run in its own process, in turns (a different tree
first in every repeat), and prints each tree's median time and the median and range of the
paired ratios new / base.

- streetlights: the walk-through's per-sample loop (``set_neurons``, ``train()``, ``calc_delta``,
  ``learn()``), every neuron and weight recorded, 3000 iterations: the case where a point's cost
  shows most (a step is a few microseconds);
- dense: ``Network.run_epoch`` of a 784-128-10 network on 6400 random samples, batch 32.

    python benchmarks/monitor_points.py --base /path/to/old/checkout --new . --repeats 7
"""
import argparse
import os
import statistics
import subprocess
import sys

CHILD = r"""
import time, numpy as np
from simnet import Network, SimpleLayer
kind = {kind!r}
if kind == "streetlights":
    X = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]], float); Y = np.array([[1], [1], [0], [0]], float)
    np.random.seed(0)
    out = SimpleLayer("output", 1); hidden = SimpleLayer("hidden", 4, target=out, activation="relu")
    inp = SimpleLayer("input", 3, target=hidden); net = Network([inp, hidden, out]); net.record_all()
    layers = net.layers
    t = time.perf_counter()
    for _ in range(3000):
        for i in range(4):
            inp.set_neurons(X[i])
            for la in layers:
                la.train()
            out.calc_delta(Y[i])
            for la in reversed(layers):
                la.learn(0.2)
else:
    from simnet.optimizers import get_optimizer
    rng = np.random.default_rng(0)
    x = rng.random((6400, 784), dtype=np.float32); y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 6400)]
    net = Network.build([784, 128, 10], activations=["relu", "softmax"], bias=True, init="he", seed=0,
                        dtype=np.float32, loss="cross_entropy")
    net.record_summaries(every=100)
    opt = get_optimizer("adam", 0.001)
    net.run_epoch(x[:640], y[:640], opt, batch_size=32)  # warm up
    t = time.perf_counter()
    net.run_epoch(x, y, opt, batch_size=32)
print(time.perf_counter() - t)
"""


def run(tree, kind):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", CHILD.format(kind=kind)], env=env, capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="the simnet tree to compare against")
    p.add_argument("--new", default=".", help="this tree (default .)")
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args()
    for kind in ("streetlights", "dense"):
        times = {"base": [], "new": []}
        for r in range(args.repeats):
            order = ("base", "new") if r % 2 == 0 else ("new", "base")
            for which in order:
                times[which].append(run(getattr(args, which), kind))
        ratios = [n / b for n, b in zip(times["new"], times["base"])]
        print(f"{kind}: base {statistics.median(times['base']):.3f} s, new {statistics.median(times['new']):.3f} s "
              f"(medians of {args.repeats}); new / base = {statistics.median(ratios):.3f} "
              f"(range {min(ratios):.3f}..{max(ratios):.3f})")


if __name__ == "__main__":
    main()
