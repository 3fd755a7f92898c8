"""The playground's cost: one training step plus one full map refresh, simnet against plain numpy.

The network is Playground's largest, 6 hidden layers of 8 tanh neurons (input x1 x2, one tanh output,
biases, Playground's initial weights), on the spiral data set, batch 10, SGD lr 0.03.  One *iteration*
is what the live explorer does between two pictures at full pace: one ``network.step`` on a batch, then
every neuron's map over the 100 x 100 grid (``neuron_maps``: one ``layer.infer`` pass of 10,000 points
through every layer).  The plain numpy contender does the same arithmetic in preallocated arrays (the
refresh's too: simnet's ``infer`` makes new arrays, so that it is safe anywhere), the weights updated in place, from the same initial weights and batches; the two end with the same weights
(checked: their final output maps agree to 1e-9).

Each contender runs in its own process (one BLAS thread), in turns, a different one first in every
repeat; printed are each one's median time per iteration (and for the step and the refresh alone), and
the median and range of the paired ratios simnet / numpy.

    python benchmarks/playground_step.py [--repeats 7] [--iterations 300]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HIDDEN = [8] * 6
BATCH, LR = 10, 0.03


def setup():
    from simnet.playground import Grid, Task, build_network, feature_matrix, playground_data
    from simnet.playground.maps import grid_inputs

    data = playground_data("spiral", 0.0, 50, seed=0)
    task = Task("binary")
    network = build_network(2, HIDDEN, "tanh", task, seed=0)
    x = feature_matrix(data.x_train, ["x1", "x2"])
    g = task.goals(data.y_train)
    inputs = grid_inputs(Grid(), ["x1", "x2"])
    return network, x, g, inputs


def child_simnet(iterations):
    from simnet.optimizers import SGD
    from simnet.playground import neuron_maps

    network, x, g, inputs = setup()
    opt = SGD(LR)
    n = len(x)
    times = {"both": 0.0, "step": 0.0, "maps": 0.0}
    for it in range(-20, iterations):  # 20 warm-up iterations
        k = (it % (n // BATCH)) * BATCH
        t0 = time.perf_counter()
        network.step(x[k:k + BATCH], g[k:k + BATCH], opt)
        t1 = time.perf_counter()
        maps = neuron_maps(network, inputs, 100)
        t2 = time.perf_counter()
        if it >= 0:
            times["step"] += t1 - t0
            times["maps"] += t2 - t1
            times["both"] += t2 - t0
    return times, float(maps["output"].sum())


def child_numpy(iterations):
    network, x, g, inputs = setup()
    ws = [la.weight_row_mat.copy() for la in network.layers[:-1]]
    bs = [la.bias.copy() for la in network.layers[1:]]
    acts = [np.empty((BATCH, w.shape[1])) for w in ws]
    deltas = [np.empty_like(a) for a in acts]
    grads = [np.empty_like(w) for w in ws]
    n = len(x)
    times = {"both": 0.0, "step": 0.0, "maps": 0.0}

    def step(xb, gb):
        a = xb
        for w, b, out in zip(ws, bs, acts):  # forward: tanh(a @ w + b), in place
            np.matmul(a, w, out=out)
            out += b
            np.tanh(out, out=out)
            a = out
        d = deltas[-1]
        np.subtract(gb, acts[-1], out=d)  # (goal - output) * tanh' / B
        d *= 1 - acts[-1] * acts[-1]
        d /= len(xb)
        for k in range(len(ws) - 1, -1, -1):
            d = deltas[k]
            if k > 0:  # the source's delta, with the weights before they change
                np.matmul(d, ws[k].T, out=deltas[k - 1])
                deltas[k - 1] *= 1 - acts[k - 1] * acts[k - 1]
            src = acts[k - 1] if k > 0 else xb
            d *= LR
            np.matmul(src.T, d, out=grads[k])
            ws[k] += grads[k]
            bs[k] += d.sum(axis=0)

    grid_acts = [np.empty((len(inputs), w.shape[1])) for w in ws]  # the refresh's buffers, kept

    def maps():
        a, out = inputs, {}
        for k, (w, b) in enumerate(zip(ws, bs)):
            z = grid_acts[k]
            np.matmul(a, w, out=z)
            z += b
            np.tanh(z, out=z)
            a = z
            out[k] = z.T.reshape(-1, 100, 100)
        return out

    for it in range(-20, iterations):
        k = (it % (n // BATCH)) * BATCH
        t0 = time.perf_counter()
        step(x[k:k + BATCH], g[k:k + BATCH])
        t1 = time.perf_counter()
        m = maps()
        t2 = time.perf_counter()
        if it >= 0:
            times["step"] += t1 - t0
            times["maps"] += t2 - t1
            times["both"] += t2 - t0
    return times, float(m[len(ws) - 1].sum())


def run(kind, iterations):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", kind, "--iterations",
                          str(iterations)], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--iterations", type=int, default=300, help="iterations timed in each process (300)")
    p.add_argument("--child", choices=["simnet", "numpy"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        times, check = (child_simnet if args.child == "simnet" else child_numpy)(args.iterations)
        print(json.dumps({"times": {k: v / args.iterations for k, v in times.items()}, "check": check}))
        return 0
    results = {"simnet": [], "numpy": []}
    for r in range(args.repeats):
        for kind in (("simnet", "numpy") if r % 2 == 0 else ("numpy", "simnet")):
            results[kind].append(run(kind, args.iterations))
    checks = {k: v[0]["check"] for k, v in results.items()}
    assert abs(checks["simnet"] - checks["numpy"]) < 1e-9 * 10000, checks
    print(f"6 x 8 tanh network, batch {BATCH}, 100 x 100 grid; {args.repeats} repeats of {args.iterations} "
          f"iterations, each contender in its own process, in turns; {os.cpu_count()} cores")
    for part, words in (("both", "step + map refresh"), ("step", "training step"), ("maps", "map refresh")):
        s = [x["times"][part] for x in results["simnet"]]
        n = [x["times"][part] for x in results["numpy"]]
        ratios = [a / b for a, b in zip(s, n)]
        print(f"{words:>20}: simnet {statistics.median(s) * 1e3:7.3f} ms, numpy {statistics.median(n) * 1e3:7.3f} ms;"
              f" simnet / numpy {statistics.median(ratios):.2f}x (range {min(ratios):.2f}-{max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
