"""What the live explorer costs the training: throughput with and without a page attached.

Three variants of the same training, timed side by side in this one run, a different one
first in each repeat:

- ``off``       no ``--live``: the plain loop;
- ``served``    the live server is running and the phase hooks are in place, no page open;
- ``polled``    a page is attached: a separate process polls ``/state`` as the page does
                (every 250 ms, and ``--poll-ms`` lower to stress it), so frames are captured
                at up to 20 a second and sent.

On streetlights (per sample, the walk-through's loop, every neuron and weight recorded)
and on Fashion-MNIST (784-128-10, Adam, batch 64, the image scenarios' bounded history).
Printed: samples per second of each variant and the ratios to ``off``, as the median of
per-repeat ratios with their range.  The target is a cost of at most 10%.

A hidden page polls nothing (the page checks ``document.hidden``), so it costs what
``served`` costs; the browser test checks that a hidden page draws nothing.

    python benchmarks/explorer_overhead.py
    python benchmarks/explorer_overhead.py --repeats 5 --samples 20000 --poll-ms 50
"""
import os

# one BLAS thread: on a small shared machine the ratios are steadier (set OPENBLAS_NUM_THREADS to change it)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import io
import multiprocessing
import statistics
import time
import urllib.request

import numpy as np

from simnet import Network, SimpleLayer
from simnet.explorer.server import LiveRun
from simnet.optimizers import get_optimizer

X = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]], float)
Y = np.array([[1], [1], [0], [0]], float)


def poller(url, period, stop):
    """A page's polling, in its own process (a browser is not in the training's process)."""
    since = -1
    state_url = url.replace("/?", "/state?")
    while not stop.is_set():
        try:
            with urllib.request.urlopen(f"{state_url}&since={since}", timeout=5) as r:
                body = r.read()
            import json

            frames = json.loads(body)["frames"]
            if frames:
                since = frames[-1]["n"]
        except OSError:
            pass
        stop.wait(period)


def streetlights(iterations):
    np.random.seed(0)
    out = SimpleLayer("output", 1)
    hidden = SimpleLayer("hidden", 4, target=out, activation="relu")
    inp = SimpleLayer("input", 3, target=hidden)
    network = Network([inp, hidden, out])
    network.record_all()
    layers = network.layers

    def train():
        for _ in range(iterations):
            for i in range(4):
                inp.set_neurons(X[i])
                for layer in layers:
                    layer.train()
                out.calc_delta(Y[i])
                for layer in reversed(layers):
                    layer.learn(0.2)
        return iterations * 4

    return network, train, {"samples": [str(x) for x in X]}


def fashion(samples):
    from simnet.data import load_dataset, one_hot, to_inputs

    images, labels = load_dataset("fashion-mnist", "train", download=False)
    x, y = to_inputs(images[:samples]), one_hot(labels[:samples])
    network = Network.build([784, 128, 10], activations=["relu", "softmax"], bias=True, init="he", seed=0,
                            dtype=np.float32, loss="cross_entropy")
    network.record_summaries(every=100)
    optimizer = get_optimizer("adam", 0.001)

    def train():
        network.run_epoch(x, y, optimizer, batch_size=64)
        return len(x)

    return network, train, {"image_shape": (28, 28)}


def measure(build, variant, poll_s):
    network, train, kw = build()
    live = proc = stop = None
    if variant != "off":
        live = LiveRun(network, port=0, out=io.StringIO(), **kw)
        live.start()
    if variant == "polled":
        stop = multiprocessing.Event()
        proc = multiprocessing.Process(target=poller, args=(live.url, poll_s, stop), daemon=True)
        proc.start()
        deadline = time.monotonic() + 10
        while time.monotonic() - live._last_poll > 1 and time.monotonic() < deadline:
            time.sleep(0.02)  # wait until the page is attached
    try:
        t0, c0 = time.perf_counter(), time.thread_time()
        n = train()
        seconds, cpu = time.perf_counter() - t0, time.thread_time() - c0
    finally:
        if proc is not None:
            stop.set()
            proc.join(5)
        frames = (live._n, live.capture_s) if live is not None else (0, 0.0)
        if live is not None:
            live.close()
    return n / seconds, n / cpu, frames, seconds


def bench(name, build, repeats, poll_s):
    variants = ["off", "served", "polled"]
    wall = {v: [] for v in variants}
    cpu = {v: [] for v in variants}
    frames = []
    measure(build, "off", poll_s)  # warm up: first-touch allocations, caches
    for r in range(repeats):
        order = variants[r % 3:] + variants[:r % 3]
        for v in order:
            w, c, f, seconds = measure(build, v, poll_s)
            wall[v].append(w)
            cpu[v].append(c)
            if v == "polled":
                frames.append((f[0], f[1] / seconds))
    print(f"\n{name}: samples per second (median of {repeats}; wall clock, and per second of the training "
          f"thread's own CPU time, which other processes on the machine do not disturb)")
    for v in variants:
        print(f"  {v:7s} wall {statistics.median(wall[v]):10,.0f}   cpu {statistics.median(cpu[v]):10,.0f}")
    for v in variants[1:]:
        for what, rates in (("wall", wall), ("cpu", cpu)):
            rs = [a / b for a, b in zip(rates[v], rates["off"])]  # per repeat: the variants ran back to back
            cost = 1 - statistics.median(rs)
            print(f"  {v} / off ({what}) = {statistics.median(rs):.3f} (range {min(rs):.3f}..{max(rs):.3f}); "
                  f"cost {cost:+.1%} {'OK' if cost <= 0.10 else 'OVER the 10% target'}")
    print(f"  frames captured while polled: {statistics.median(f[0] for f in frames):.0f} per run; copying them "
          f"took {statistics.median(f[1] for f in frames):.2%} of the training thread's time")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--iterations", type=int, default=3000, help="streetlights iterations (x4 samples)")
    p.add_argument("--samples", type=int, default=12800, help="Fashion-MNIST training images per run")
    p.add_argument("--poll-ms", type=float, default=250, help="the page's polling period (250 ms)")
    args = p.parse_args()
    poll_s = args.poll_ms / 1000
    bench(f"streetlights, per sample, {args.iterations} iterations", lambda: streetlights(args.iterations),
          args.repeats, poll_s)
    try:
        bench(f"Fashion-MNIST 784-128-10, batch 64, {args.samples} images", lambda: fashion(args.samples),
              args.repeats, poll_s)
    except Exception as e:  # noqa: BLE001 - the data set may be missing here
        print(f"\nFashion-MNIST skipped: {e}")


if __name__ == "__main__":
    main()
