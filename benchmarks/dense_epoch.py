"""784-128-10 on Fashion-MNIST, one epoch: simnet, plain numpy and PyTorch, each in its own process.

All train the same network (784-128 relu-10 softmax, biases, cross-entropy, float32)
with the same update (plain SGD, the walk-through's), from the same initial weights
(simnet's ``Network.build(..., seed=0)``), on the same shuffled order.  Each contender
runs alone in a fresh process (``paired.py``), in turns, a different one first each
round; the table gives median epochs and the median and range of the per-round
ratios.  Contenders:

- ``simnet``: ``Network.step`` on each batch; ``simnet + history``: the same with the
  image scenarios' bounded summaries recorded (``record_summaries``);
- ``numpy``: the same step in plain, preallocated numpy (``PlainNumpy``, weights updated
  in place); ``numpy naive`` (with ``--naive``): the obvious version, new arrays everywhere;
- ``PyTorch`` (when ``torch`` imports): ``nn.Linear``s, ``CrossEntropyLoss``, ``optim.SGD``.

Same computation: every simnet and numpy process saves its final first-layer weights and
they must agree (rtol 1e-4); PyTorch's must follow the reference's over the first 50 steps
(after that a neuron within rounding of ReLU's kink can take the other branch in one of them).

    python benchmarks/dense_epoch.py [--samples 60000] [--rounds 3] [--batches 1,32,128] [--naive] [--no-torch]
"""
import argparse
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paired  # noqa: E402

HERE = os.path.abspath(__file__)
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
            n = self.w1.shape[1]
            self.h, self.o = np.empty((b, n), f), np.empty((b, 10), f)
            self.d1, self.d2 = np.empty((b, n), f), np.empty((b, 10), f)
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


class Naive(PlainNumpy):
    def step(self, x, y):
        """The same step written the obvious way (new arrays everywhere), for scale."""
        b = len(x)
        h = np.maximum(x @ self.w1 + self.b1, 0)
        z = h @ self.w2 + self.b2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        o = e / e.sum(axis=1, keepdims=True)
        d2 = (y - o) / b
        d1 = (d2 @ self.w2.T) * (h > 0)
        self.w2 = self.w2 + LR * (h.T @ d2)
        self.b2 = self.b2 + LR * d2.sum(axis=0)
        self.w1 = self.w1 + LR * (x.T @ d1)
        self.b1 = self.b1 + LR * d1.sum(axis=0)


class Torch:
    """The same network and update in PyTorch (CPU), from the same initial weights."""

    def __init__(self, w1, b1, w2, b2):
        import torch
        from torch import nn

        self.torch = torch
        self.model = nn.Sequential(nn.Linear(w1.shape[0], w1.shape[1]), nn.ReLU(), nn.Linear(w1.shape[1], 10))
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

    @property
    def w1(self):
        return self.model[0].weight.detach().numpy().T


def make_simnet(hidden=128, record=False, batch=1, seed=0):
    from simnet import Network

    net = Network.build([784, hidden, 10], activations=["relu", "softmax"], bias=True, init="he", seed=seed,
                        dtype=np.float32, loss="cross_entropy")
    if record:
        net.record_summaries(every=max(1, 6400 // batch))
    return net


def start_weights(hidden=128):
    net = make_simnet(hidden)
    return tuple(a.copy() for a in (net.layers[0].weight_row_mat, net.layers[1].bias,
                                    net.layers[1].weight_row_mat, net.layers[2].bias))


def contender(name, hidden, batch):
    """``(step, first-layer weights getter)`` of one contender, from the shared initial weights."""
    if name.startswith("simnet"):
        net = make_simnet(hidden, name == "simnet + history", batch)
        return (lambda a, b: net.step(a, b, LR)), (lambda: net.layers[0].weight_row_mat)
    start = start_weights(hidden)
    obj = {"numpy": PlainNumpy, "numpy naive": Naive, "PyTorch": Torch}[name](*start)
    return obj.step, (lambda: obj.w1)


def data(samples):
    from simnet.data import DatasetNotFoundError, load_dataset, one_hot, to_inputs

    try:
        images, labels = load_dataset("fashion-mnist", "train", download=False)
        source = "Fashion-MNIST training set"
    except DatasetNotFoundError:
        rng = np.random.default_rng(0)
        images, labels = rng.integers(0, 256, (60000, 28, 28)).astype(np.uint8), rng.integers(0, 10, 60000)
        source = "random images (Fashion-MNIST not found)"
    reps = -(-samples // len(images))
    x = np.concatenate([to_inputs(images[:samples])] * reps)[:samples]
    y = np.concatenate([one_hot(labels[:samples])] * reps)[:samples]
    return x, y, source


def worker(args):
    x, y, source = data(args.samples)
    order = np.random.default_rng(0).permutation(len(x))
    if args.steps:
        order = order[:args.steps * args.batch]
    step, w1 = contender(args.worker, 128, args.batch)
    torch = None
    if args.worker == "PyTorch":
        import torch
    with paired.Clock() as c:
        for start in range(0, len(order), args.batch):
            idx = order[start:start + args.batch]
            step(x[idx], y[idx])
    if args.save:
        np.save(args.save, w1())
    paired.worker_result(contender=args.worker, seconds=c.wall, cpu_seconds=c.cpu, steps=-(-len(order) // args.batch),
                         samples=len(order), data=source, threads=paired.thread_settings(args.worker, torch))


def run(args):
    """Per batch size: the PyTorch check (50 steps), the rounds, and the weight check of every round."""
    torch = not args.no_torch and paired.has_torch()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for batch in [int(b) for b in args.batches.split(",")]:
            names = ["simnet", "numpy"] + (["simnet + history"] if args.history else []) + \
                (["numpy naive"] if args.naive else [])
            if torch and batch >= args.torch_from:
                names.append("PyTorch")
            base = [HERE, "--samples", str(args.samples), "--batch", str(batch)]
            gap = None
            if "PyTorch" in names:
                for n in ("PyTorch", "numpy"):
                    paired.run_worker(base + ["--worker", n, "--steps", "50", "--save", os.path.join(tmp, n + ".npy")])
                w0 = start_weights()[0]
                ref, pt = np.load(os.path.join(tmp, "numpy.npy")), np.load(os.path.join(tmp, "PyTorch.npy"))
                gap = float(np.linalg.norm(pt - ref) / np.linalg.norm(ref - w0))
                assert gap < 1e-3, f"PyTorch's weights moved {gap:.2g} of the reference's change away from them"
            cmds = {n: base + ["--worker", n, "--save", os.path.join(tmp, n.replace(" ", "_") + ".npy")]
                    for n in names}
            print(f"batch {batch}:", file=sys.stderr, flush=True)
            results = {n: [] for n in names}
            for r in range(args.rounds):
                k = r % len(names)
                order = names[k:] + names[:k]
                one = paired.alternate({n: cmds[n] for n in order}, 1, progress=False)
                ref = np.load(os.path.join(tmp, "numpy.npy"))
                for n in names:
                    results[n].append(one[n][0])
                    if n != "PyTorch":  # same network, same update: the same weights at the end of the epoch
                        np.testing.assert_allclose(np.load(os.path.join(tmp, n.replace(" ", "_") + ".npy")), ref,
                                                   rtol=1e-4, atol=1e-5, err_msg=f"{n} at batch {batch}")
            out[batch] = {"results": results, "torch_gap": gap}
    return out


def table(out, rounds):
    lines = ["| batch | plain numpy s/epoch | simnet s/epoch | PyTorch s/epoch | simnet / numpy | simnet / PyTorch "
             "| simnet with history / without | us per step (numpy, simnet, PyTorch) | peak RSS MB (simnet, numpy, "
             "PyTorch) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for batch, o in out.items():
        res = o["results"]
        has_pt = "PyTorch" in res
        steps = res["simnet"][0]["steps"]
        us = [1e6 * paired.median(res, k) / steps for k in ("numpy", "simnet", "PyTorch") if k in res]
        rss = [max(r["peak_rss_mb"] for r in res[k]) for k in ("simnet", "numpy", "PyTorch") if k in res]
        lines.append(f"| {batch} | {paired.spread(res, 'numpy')} | {paired.spread(res, 'simnet')} | "
                     + (f"{paired.spread(res, 'PyTorch')} | " if has_pt else "- | ")
                     + f"{paired.ratio(res, 'simnet', 'numpy')} | "
                     + (f"{paired.ratio(res, 'simnet', 'PyTorch')} | " if has_pt else "- | ")
                     + (f"{paired.ratio(res, 'simnet + history', 'simnet')} | " if "simnet + history" in res else "- | ")
                     + f"{', '.join(f'{u:.0f}' for u in us)} | "
                     + ", ".join(f"{m:.0f}" for m in rss) + " |")
    extra = []
    for batch, o in out.items():
        if "numpy naive" in o["results"]:
            extra.append(f"naive numpy / numpy at batch {batch}: {paired.ratio(o['results'], 'numpy naive', 'numpy')}")
        if o["torch_gap"] is not None:
            extra.append(f"PyTorch's weights after 50 steps at batch {batch}: {o['torch_gap']:.1e} of the reference's "
                         f"change away from them")
    first = next(iter(out.values()))["results"]["simnet"][0]
    head = (f"{first['samples']:,} images of the {first['data']}, 784-128-10, float32, SGD lr {LR}; {rounds} rounds, "
            f"each contender in its own process, in turns; times: median (range) over the rounds; ratios: median "
            f"(range) of the per-round ratios")
    return head + "\n\n" + "\n".join(lines) + ("\n\n" + "\n".join(extra) if extra else "")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=60000, help="training images per epoch (60000)")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the contenders in turns (3)")
    p.add_argument("--batches", default="1,32,128")
    p.add_argument("--torch-from", type=int, default=1, help="time PyTorch from this batch size up (1)")
    p.add_argument("--naive", action="store_true", help="also time the naive numpy step")
    p.add_argument("--history", action="store_true", help="also time simnet recording the bounded summaries")
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even when it is installed")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--steps", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--save", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return None
    print(paired.describe_machine(paired.machine()), flush=True)
    out = run(args)
    print(table(out, args.rounds))
    print(paired.load_now())
    return out


if __name__ == "__main__":
    main()
