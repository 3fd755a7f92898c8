"""simnet against plain numpy: one epoch of the 784-128-10 network on Fashion-MNIST.

Both train the same network (784-128 relu-10 softmax, biases, cross-entropy,
float32) with the same update (plain SGD, the walk-through's), from the same
initial weights, on the same shuffled order, and both are timed side by side in
this one run, alternating, so machine noise hits both alike.  Printed: the
median time per epoch of each at batch sizes 1, 32 and 128, their ratio, and
simnet's recording overhead (the default bounded history of the image
scenarios against recording off).  Ratios are taken per repeat (the variants of
one repeat run back to back, a different one first each time) and their median
is printed with their range: on a noisy 2-core machine the spread is the point.

    python benchmarks/dense_epoch.py              # full 60,000 images, 3 repeats
    python benchmarks/dense_epoch.py --samples 10000 --repeats 5
"""
import argparse
import statistics
import time

import numpy as np

from simnet import Network
from simnet.data import DatasetNotFoundError, load_dataset, one_hot, to_inputs

LR = 0.01


class PlainNumpy:
    """The same network and update in plain numpy, preallocated, weights updated in place."""

    def __init__(self, w1, b1, w2, b2):
        self.w1, self.b1, self.w2, self.b2 = w1.copy(), b1.copy(), w2.copy(), b2.copy()
        self.g1, self.g2 = np.empty_like(w1), np.empty_like(w2)
        self.batch = None

    def _buffers(self, b):
        if self.batch != b:
            f = self.w1.dtype
            self.h, self.o = np.empty((b, 128), f), np.empty((b, 10), f)
            self.d1, self.d2 = np.empty((b, 128), f), np.empty((b, 10), f)
            self.batch = b

    def step(self, x, y):
        """One step on a batch: forward, delta = (goal - prediction) / B, backward, update."""
        b = len(x)
        self._buffers(b)
        h, o, d1, d2 = self.h, self.o, self.d1, self.d2
        np.matmul(x, self.w1, out=h)
        h += self.b1
        np.maximum(h, 0, out=h)
        np.matmul(h, self.w2, out=o)
        o += self.b2
        o -= o.max(axis=1, keepdims=True)
        np.exp(o, out=o)
        o /= o.sum(axis=1, keepdims=True)
        np.subtract(y, o, out=d2)
        if b > 1:
            d2 /= b
        np.matmul(d2, self.w2.T, out=d1)
        d1 *= h > 0
        d2 *= LR
        d1 *= LR
        if b == 1:  # an outer product: element-wise is faster than a k=1 matmul
            np.multiply(h.T, d2, out=self.g2)
            np.multiply(x.T, d1, out=self.g1)
        else:
            np.matmul(h.T, d2, out=self.g2)
            np.matmul(x.T, d1, out=self.g1)
        self.w2 += self.g2
        self.b2 += d2.sum(axis=0)
        self.w1 += self.g1
        self.b1 += d1.sum(axis=0)


def naive_step(p, x, y):
    """The same step written the obvious way (new arrays everywhere), for scale."""
    b = len(x)
    h = np.maximum(x @ p.w1 + p.b1, 0)
    z = h @ p.w2 + p.b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    o = e / e.sum(axis=1, keepdims=True)
    d2 = (y - o) / b
    d1 = (d2 @ p.w2.T) * (h > 0)
    p.w2 = p.w2 + LR * (h.T @ d2)
    p.b2 = p.b2 + LR * d2.sum(axis=0)
    p.w1 = p.w1 + LR * (x.T @ d1)
    p.b1 = p.b1 + LR * d1.sum(axis=0)


def epoch(step, x, y, order, batch):
    t = time.perf_counter()
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        step(x[idx], y[idx])
    return time.perf_counter() - t


def make_simnet(seed, record, batch):
    net = Network.build([784, 128, 10], activations=["relu", "softmax"], bias=True, init="he", seed=seed,
                        dtype=np.float32, loss="cross_entropy")
    if record:
        net.record_summaries(every=max(1, 6400 // batch))
    return net


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=60000, help="training images per epoch (60000)")
    p.add_argument("--repeats", type=int, default=3, help="epochs timed per variant (median reported)")
    p.add_argument("--batches", default="1,32,128")
    args = p.parse_args()
    try:
        images, labels = load_dataset("fashion-mnist", "train", download=False)
        source = "Fashion-MNIST training set"
    except DatasetNotFoundError:
        rng = np.random.default_rng(0)
        images, labels = rng.integers(0, 256, (60000, 28, 28)).astype(np.uint8), rng.integers(0, 10, 60000)
        source = "random images (Fashion-MNIST not found)"
    x = to_inputs(images[: args.samples])
    y = one_hot(labels[: args.samples])
    order = np.random.default_rng(0).permutation(len(x))
    print(f"{len(x):,} images of the {source}, 784-128-10, float32, SGD lr {LR}; "
          f"median of {args.repeats} epochs per variant, variants alternating\n")
    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        times = {"numpy": [], "numpy naive": [], "simnet": [], "simnet + history": []}
        for r in range(args.repeats):
            net = make_simnet(r, False, batch)
            ref = PlainNumpy(net.layers[0].weight_row_mat, net.layers[1].bias, net.layers[1].weight_row_mat,
                             net.layers[2].bias)
            naive = PlainNumpy(ref.w1, ref.b1, ref.w2, ref.b2)
            rec = make_simnet(r, True, batch)
            steps = {"numpy": ref.step, "simnet": lambda a, b: net.step(a, b, LR),
                     "simnet + history": lambda a, b: rec.step(a, b, LR),
                     "numpy naive": lambda a, b: naive_step(naive, a, b)}
            names = list(steps)
            for name in names[r % 4:] + names[:r % 4]:  # a different variant goes first each repeat
                times[name].append(epoch(steps[name], x, y, order, batch))
            # same network, same update: the two must end with the same weights
            np.testing.assert_allclose(net.layers[0].weight_row_mat, ref.w1, rtol=1e-4, atol=1e-5)
        rows.append((batch, times))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"batch {batch:>4}: " + ", ".join(f"{k} {v:.2f}s" for k, v in med.items()), flush=True)

    def ratio(times, a, b):
        """Median and range of the per-repeat ratios a / b (paired: both timed in the same repeat)."""
        r = [x / y for x, y in zip(times[a], times[b])]
        return f"{statistics.median(r):.2f}x ({min(r):.2f}-{max(r):.2f})"

    print("\nmedians over the repeats; ratios are medians of the per-repeat ratios (range in brackets)\n")
    print("| batch | plain numpy s/epoch | simnet s/epoch | simnet / numpy | naive numpy / numpy "
          "| simnet with history / without | us per step (numpy, simnet) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for batch, times in rows:
        med = {k: statistics.median(v) for k, v in times.items()}
        steps = -(-len(x) // batch)
        print(f"| {batch} | {med['numpy']:.2f} | {med['simnet']:.2f} | {ratio(times, 'simnet', 'numpy')} "
              f"| {ratio(times, 'numpy naive', 'numpy')} | {ratio(times, 'simnet + history', 'simnet')} "
              f"| {1e6 * med['numpy'] / steps:.0f}, {1e6 * med['simnet'] / steps:.0f} |")


if __name__ == "__main__":
    main()
