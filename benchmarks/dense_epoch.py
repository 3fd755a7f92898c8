"""simnet against plain numpy: one epoch of the 784-128-10 network on Fashion-MNIST.

Both train the same network (784-128 relu-10 softmax, biases, cross-entropy,
float32) with the same update (plain SGD, the walk-through's), from the same
initial weights, on the same shuffled order, and both are timed side by side in
this one run, alternating, so machine noise hits both alike; so is PyTorch's CPU
build of the same network and update (``torch.optim.SGD``, ``CrossEntropyLoss``),
when ``torch`` can be imported (``pip install -e ".[benchmarks]"``).  Printed: the
median time per epoch of each at batch sizes 1, 32 and 128, their ratios, and
simnet's recording overhead (the default bounded history of the image
scenarios against recording off).  Ratios are taken per repeat (the variants of
one repeat run back to back, a different one first each time) and their median
is printed with their range: on a noisy 2-core machine the spread is the point.
The script checks that simnet and the reference end with the same weights, and that
PyTorch's agree with the reference's over the first 50 steps.

    python benchmarks/dense_epoch.py              # full 60,000 images, 3 repeats
    python benchmarks/dense_epoch.py --samples 10000 --repeats 5 [--no-torch]
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


class Torch:
    """The same network and update in PyTorch (CPU), from the same initial weights."""

    def __init__(self, w1, b1, w2, b2):
        import torch
        from torch import nn

        self.torch = torch
        self.model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        with torch.no_grad():
            for layer, w, b in ((self.model[0], w1, b1), (self.model[2], w2, b2)):
                layer.weight.copy_(torch.from_numpy(w.T.copy()))
                layer.bias.copy_(torch.from_numpy(b))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.loss = nn.CrossEntropyLoss()  # mean over the batch: simnet's (goal - prediction) / B

    def step(self, x, y):
        self.opt.zero_grad()
        self.loss(self.model(self.torch.from_numpy(x)), self.torch.from_numpy(y.argmax(axis=1))).backward()
        self.opt.step()

    def first_weights(self):
        return self.model[0].weight.detach().numpy().T


def same_update(pt, ref, x, y, order, batch, steps=50):
    """Check that PyTorch's network and update are the reference's: their weights agree step by step.

    Only over the first steps: PyTorch rounds differently (it never forms the softmax), and
    over an epoch a hidden neuron whose input sum sits within rounding of ReLU's kink (seen at
    batch 1: 3e-7) takes the other branch in one of them, after which the two drift apart.
    """
    w0 = ref.w1.copy()
    for start in range(0, steps * batch, batch):
        idx = order[start:start + batch]
        pt.step(x[idx], y[idx])
        ref.step(x[idx], y[idx])
    gap = np.linalg.norm(pt.first_weights() - ref.w1) / np.linalg.norm(ref.w1 - w0)
    assert gap < 1e-3, f"PyTorch's weights moved {gap:.2g} of the reference's change away from them"


def torch_version():
    """PyTorch's version when it can be imported, else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


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


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=60000, help="training images per epoch (60000)")
    p.add_argument("--repeats", type=int, default=3, help="epochs timed per variant (median reported)")
    p.add_argument("--batches", default="1,32,128")
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even when it is installed")
    args = p.parse_args(argv)
    torch = None if args.no_torch else torch_version()
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
          f"median of {args.repeats} epochs per variant, variants alternating"
          + (f"; PyTorch {torch}" if torch else "; PyTorch not timed") + "\n")
    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        times = {"numpy": [], "numpy naive": [], "simnet": [], "simnet + history": []}
        if torch:
            times["pytorch"] = []
        for r in range(args.repeats):
            net = make_simnet(r, False, batch)
            start = tuple(a.copy() for a in (net.layers[0].weight_row_mat, net.layers[1].bias,
                                             net.layers[1].weight_row_mat, net.layers[2].bias))
            ref = PlainNumpy(*start)
            naive = PlainNumpy(*start)
            rec = make_simnet(r, True, batch)
            steps = {"numpy": ref.step, "simnet": lambda a, b: net.step(a, b, LR),
                     "simnet + history": lambda a, b: rec.step(a, b, LR),
                     "numpy naive": lambda a, b: naive_step(naive, a, b)}
            if torch:
                pt = Torch(*start)
                steps["pytorch"] = pt.step
                if r == 0:
                    same_update(Torch(*start), PlainNumpy(*start), x, y, order, batch)
            names = list(steps)
            k = r % len(names)
            for name in names[k:] + names[:k]:  # a different variant goes first each repeat
                times[name].append(epoch(steps[name], x, y, order, batch))
            # same network, same update: all must end with the same weights
            np.testing.assert_allclose(net.layers[0].weight_row_mat, ref.w1, rtol=1e-4, atol=1e-5)
        rows.append((batch, times))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"batch {batch:>4}: " + ", ".join(f"{k} {v:.2f}s" for k, v in med.items()), flush=True)

    def ratio(times, a, b):
        """Median and range of the per-repeat ratios a / b (paired: both timed in the same repeat)."""
        r = [x / y for x, y in zip(times[a], times[b])]
        return f"{statistics.median(r):.2f}x ({min(r):.2f}-{max(r):.2f})"

    print("\nmedians over the repeats; ratios are medians of the per-repeat ratios (range in brackets)\n")
    print("| batch | plain numpy s/epoch | simnet s/epoch | PyTorch s/epoch | simnet / numpy | simnet / PyTorch "
          "| naive numpy / numpy | simnet with history / without | us per step (numpy, simnet, PyTorch) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for batch, times in rows:
        med = {k: statistics.median(v) for k, v in times.items()}
        steps = -(-len(x) // batch)
        us = [1e6 * med[k] / steps for k in ("numpy", "simnet", "pytorch") if k in med]
        print(f"| {batch} | {med['numpy']:.2f} | {med['simnet']:.2f} | "
              + (f"{med['pytorch']:.2f} | " if torch else "- | ")
              + f"{ratio(times, 'simnet', 'numpy')} | " + (f"{ratio(times, 'simnet', 'pytorch')} | " if torch else "- | ")
              + f"{ratio(times, 'numpy naive', 'numpy')} | {ratio(times, 'simnet + history', 'simnet')} "
              f"| {', '.join(f'{u:.0f}' for u in us)} |")
    return rows


if __name__ == "__main__":
    main()
