"""One epoch of the "larger CNN" on 60,000 images: simnet beside a plain-numpy reference (and PyTorch).

    conv 30 5x5 relu, pool 2x2, conv 15 3x3 relu, pool 2x2, dropout 0.2, flatten,
    dense 128 relu, dense 50 relu, dense 10 softmax; cross-entropy, Adam, batch 200, float32

The plain-numpy reference below is the same network written as arrays and
functions, with no layer objects, no histories and no checks, using the same
kernels as simnet (im2col as ``(batch, C*kh*kw, H*W)`` and one batched matrix
product per convolution, col2im over the kernel offsets on rows as wide as the
input, max pooling over the window offsets): the ratio simnet / reference is the
price of simnet's explicit layers.  PyTorch's CPU build of the same network is
timed too when ``torch`` can be imported (optional: ``pip install -e ".[benchmarks]"``).

All run in this one process, one after the other, on the same batches.  Times
on a shared machine vary: each full epoch is timed once (``--epochs`` more),
and every batch is timed, so the table also shows the median batch time times
the number of batches, which is steadier.  Per-layer times are medians over
``--layer-batches`` batches.

    python benchmarks/cnn_epoch.py [--images 60000] [--threads N] [--no-torch]
"""
import argparse
import os
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=60000, help="training images in the epoch (60000)")
    p.add_argument("--batch-size", type=int, default=200)
    p.add_argument("--epochs", type=int, default=1, help="full epochs timed per implementation (1)")
    p.add_argument("--layer-batches", type=int, default=30, help="batches timed layer by layer (30)")
    p.add_argument("--threads", type=int, help="BLAS (and torch) threads; default: the libraries' own")
    p.add_argument("--history", action="store_true", help="simnet records the scenario's summaries")
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even when it is installed")
    return p.parse_args(argv)


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None and ARGS.threads:  # must be set before numpy is imported
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

DT = np.float32


# ---- the plain-numpy reference ------------------------------------------------------------------
def im2col(x, k):
    """``(B, C, H, W)`` -> ``(B, C*k*k, Ho*Wo)`` (valid padding, stride 1)."""
    b, c, h, w = x.shape
    ho, wo = h - k + 1, w - k + 1
    cols = np.empty((b, c, k, k, ho, wo), DT)
    np.copyto(cols, sliding_window_view(x, (k, k), axis=(2, 3)).transpose(0, 1, 4, 5, 2, 3))
    return cols.reshape(b, c * k * k, ho * wo)


def col2im(w, dz, c, h, wd, k):
    """Gradient of the input of a valid stride-1 convolution: ``w`` (C*k*k, F), ``dz`` (B, F, Ho, Wo)."""
    b, f, ho, wo = dz.shape
    wide = np.zeros((b, f, ho, wd), DT)
    wide[:, :, :, :wo] = dz
    dc = np.matmul(w, wide.reshape(b, f, -1)).reshape(b, c, k * k, ho * wd)
    flat = np.zeros((b, c, h * wd + k - 1), DT)
    for u in range(k):
        for v in range(k):
            s = u * wd + v
            flat[:, :, s:s + ho * wd] += dc[:, :, u * k + v]
    return flat[:, :, :h * wd].reshape(b, c, h, wd)


def pool_views(x):
    return [x[:, :, u::2, v::2] for u in range(2) for v in range(2)]


def maxpool(x):
    views = pool_views(x)
    out = views[0].copy()
    for v in views[1:]:
        np.maximum(out, v, out=out)
    return out


def unpool(x, out, d):
    """Route ``d`` to the first maximum of each 2x2 window of ``x`` (its max pooling is ``out``)."""
    dx = np.empty_like(x)
    taken = None
    for v, back in zip(pool_views(x), pool_views(dx)):
        hit = v == out
        if taken is None:
            taken = hit
        else:
            hit &= ~taken
            taken |= hit
        np.multiply(d, hit, out=back)
    return dx


class Reference:
    """The larger CNN in plain numpy, with a timer around each layer's forward and backward step."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.rng = rng

        def he(n_in, n_out):
            return (rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(DT)

        lim = np.sqrt(6 / 60)
        self.p = {"w1": he(25, 30), "b1": np.zeros(30, DT), "w2": he(270, 15), "b2": np.zeros(15, DT),
                  "w3": he(375, 128), "b3": np.zeros(128, DT), "w4": he(128, 50), "b4": np.zeros(50, DT),
                  "w5": rng.uniform(-lim, lim, (50, 10)).astype(DT), "b5": np.zeros(10, DT)}
        self.m = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.t = 0
        self.times = None  # {name: [seconds]} when timing layer by layer

    def lap(self, name):
        if self.times is not None:
            now = time.perf_counter()
            self.times.setdefault(name, []).append(now - self._t)
            self._t = now

    def adam(self, grads, lr=0.001, b1=0.9, b2=0.999, eps=1e-8):
        self.t += 1
        a = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for k, g in grads.items():
            m, v = self.m[k], self.v[k]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            self.p[k] -= a * m / (np.sqrt(v) + eps * np.sqrt(1 - b2 ** self.t))

    def step(self, x, y):
        """One batch: ``x`` (B, 784), ``y`` one-hot (B, 10); returns the mean loss."""
        p, b = self.p, len(x)
        self._t = time.perf_counter()
        x = x.reshape(b, 1, 28, 28)
        c1 = im2col(x, 5)
        a1 = np.matmul(p["w1"].T, c1)
        a1 += p["b1"][:, None]
        np.maximum(a1, 0, out=a1)
        a1 = a1.reshape(b, 30, 24, 24)
        self.lap("conv1 forward")
        p1 = maxpool(a1)
        self.lap("pool1 forward")
        c2 = im2col(p1, 3)
        a2 = np.matmul(p["w2"].T, c2)
        a2 += p["b2"][:, None]
        np.maximum(a2, 0, out=a2)
        a2 = a2.reshape(b, 15, 10, 10)
        self.lap("conv2 forward")
        p2 = maxpool(a2)
        self.lap("pool2 forward")
        mask = (self.rng.random(p2.shape, dtype=DT) >= 0.2) * DT(1 / 0.8)
        dr = p2 * mask
        self.lap("dropout forward")
        f = dr.reshape(b, -1)
        self.lap("flatten forward")
        h1 = np.maximum(f @ p["w3"] + p["b3"], 0)
        self.lap("dense1 forward")
        h2 = np.maximum(h1 @ p["w4"] + p["b4"], 0)
        self.lap("dense2 forward")
        z = h2 @ p["w5"] + p["b5"]
        z -= z.max(axis=1, keepdims=True)
        out = np.exp(z)
        out /= out.sum(axis=1, keepdims=True)
        self.lap("output forward")
        loss = -np.log(np.maximum(out[y.astype(bool)], np.finfo(DT).tiny)).mean()
        g = {}
        dz = (out - y) / b
        g["w5"], g["b5"] = h2.T @ dz, dz.sum(axis=0)
        dh2 = (dz @ p["w5"].T) * (h2 > 0)
        self.lap("output backward")
        g["w4"], g["b4"] = h1.T @ dh2, dh2.sum(axis=0)
        dh1 = (dh2 @ p["w4"].T) * (h1 > 0)
        self.lap("dense2 backward")
        g["w3"], g["b3"] = f.T @ dh1, dh1.sum(axis=0)
        df = dh1 @ p["w3"].T
        self.lap("dense1 backward")
        ddr = df.reshape(b, 15, 5, 5)
        self.lap("flatten backward")
        dp2 = ddr * mask
        self.lap("dropout backward")
        da2 = unpool(a2, p2, dp2)
        da2 *= a2 > 0
        self.lap("pool2 backward")
        dz2 = da2.reshape(b, 15, -1)
        g["w2"] = np.matmul(c2, dz2.transpose(0, 2, 1)).sum(axis=0)
        g["b2"] = dz2.sum(axis=(0, 2))
        dp1 = col2im(p["w2"], da2, 30, 12, 12, 3)
        self.lap("conv2 backward")
        da1 = unpool(a1, p1, dp1)
        da1 *= a1 > 0
        self.lap("pool1 backward")
        dz1 = da1.reshape(b, 30, -1)
        g["w1"] = np.matmul(c1, dz1.transpose(0, 2, 1)).sum(axis=0)
        g["b1"] = dz1.sum(axis=(0, 2))
        self.lap("conv1 backward")
        self.adam(g)
        self.lap("adam (all layers)")
        return loss


# ---- simnet -------------------------------------------------------------------------------------
def simnet_network(history):
    from simnet.image_networks import build_cnn

    net = build_cnn(0)
    if history:
        net.record_summaries(every=32)
    return net


def simnet_layer_times(net, opt, x, y, batches, bs):
    """The explicit loop, timed layer by layer: ``train()`` forward, ``learn()`` backward."""
    times = {}
    for i in range(batches):
        xb, yb = x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs]
        net.input._load(xb)
        for la in net.layers:
            t = time.perf_counter()
            la.train()
            times.setdefault(f"{la.name} forward", []).append(time.perf_counter() - t)
        t = time.perf_counter()
        net.output._calc_delta(yb)
        times.setdefault("output delta", []).append(time.perf_counter() - t)
        for la in reversed(net.layers):
            t = time.perf_counter()
            la.learn(opt)
            times.setdefault(f"{la.name} backward", []).append(time.perf_counter() - t)
    return times


# ---- PyTorch ------------------------------------------------------------------------------------
def torch_model(threads):
    import torch
    from torch import nn

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(30, 15, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Dropout(0.2), nn.Flatten(), nn.Linear(375, 128), nn.ReLU(),
                          nn.Linear(128, 50), nn.ReLU(), nn.Linear(50, 10))
    return model, torch.optim.Adam(model.parameters(), lr=0.001), nn.CrossEntropyLoss()


# ---- the run --------------------------------------------------------------------------------------
def load_images(n):
    """Fashion-MNIST training images when they are here (real ReLU sparsity), else uniform noise."""
    from simnet.data import DatasetNotFoundError, load_dataset, one_hot, to_inputs

    try:
        images, labels = load_dataset("fashion-mnist", "train", download=False)
        reps = -(-n // len(images))
        x = np.concatenate([to_inputs(images)] * reps)[:n]
        return x, np.concatenate([one_hot(labels)] * reps)[:n], "Fashion-MNIST training images"
    except DatasetNotFoundError:
        rng = np.random.default_rng(0)
        return (rng.random((n, 784), dtype=DT), np.eye(10, dtype=DT)[rng.integers(0, 10, n)],
                "uniform noise (Fashion-MNIST not found)")


def epoch(step, x, y, bs, order):
    """Time one pass: total seconds and every batch's seconds."""
    per_batch = []
    start = time.perf_counter()
    for s in range(0, len(x), bs):
        idx = order[s:s + bs]
        t = time.perf_counter()
        step(x[idx], y[idx])
        per_batch.append(time.perf_counter() - t)
    return time.perf_counter() - start, np.array(per_batch)


def main(args):
    from simnet import Adam

    x, y, what = load_images(args.images)
    bs = args.batch_size
    n_batches = -(-len(x) // bs)
    print(f"one epoch = {len(x):,} images ({what}) in {n_batches} batches of {bs}, float32; "
          f"{os.cpu_count()} CPUs, BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
    runners = {}
    net, opt = simnet_network(args.history), Adam(0.001)
    runners["simnet" + (" (with history)" if args.history else "")] = lambda xb, yb: net.step(xb, yb, opt)
    ref = Reference(0)
    runners["numpy reference"] = ref.step
    torch_version = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("(PyTorch not installed: not timed)")
        else:
            torch_version = torch.__version__
            model, topt, lossf = torch_model(args.threads)

            def torch_step(xb, yb):
                xt = torch.from_numpy(xb).reshape(-1, 1, 28, 28)
                t = torch.from_numpy(yb.argmax(axis=1))
                topt.zero_grad()
                loss = lossf(model(xt), t)
                loss.backward()
                topt.step()
                return loss

            runners[f"PyTorch {torch_version} CPU"] = torch_step
    rng = np.random.default_rng(0)
    for name, step in runners.items():  # warm up: buffers, BLAS threads
        for i in range(3):
            step(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
    results = {name: [] for name in runners}
    for e in range(args.epochs):
        order = rng.permutation(len(x))
        for name, step in runners.items():  # interleaved, so a busy spell hits every implementation
            total, per_batch = epoch(step, x, y, bs, order)
            results[name].append((total, per_batch))
            print(f"  epoch {e + 1}: {name}: {total:.1f} s")
    print()
    print(f"{'implementation':28s} {'epoch (s)':>10s} {'median batch x batches (s)':>27s} {'vs reference':>13s}")
    ref_median = np.median(np.concatenate([pb for _, pb in results["numpy reference"]])) * n_batches
    for name, runs in results.items():
        total = np.median([t for t, _ in runs])
        med = np.median(np.concatenate([pb for _, pb in runs])) * n_batches
        print(f"{name:28s} {total:10.1f} {med:27.1f} {med / ref_median:12.2f}x")

    # layer by layer, on the same batches
    nb = min(args.layer_batches, n_batches)
    ref.times = {}
    for i in range(nb):
        ref.step(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
    st = simnet_layer_times(net, opt, x, y, nb, bs)
    print(f"\nper layer, median ms per batch of {bs} over {nb} batches "
          f"(simnet's backward of a layer is its learn(): the source's delta and the weights the source owns)")
    print(f"{'layer step':22s} {'simnet':>8s} {'reference':>10s}")
    names = [n for n in st if n.endswith("forward")] + ["output delta"] + [n for n in st if n.endswith("backward")]
    sim_total = ref_total = 0.0
    for n in names:
        s = np.median(st[n]) * 1e3
        r = np.median(ref.times[n]) * 1e3 if n in ref.times else float("nan")
        sim_total += s
        ref_total += 0 if np.isnan(r) else r
        print(f"{n:22s} {s:8.2f} {'' if np.isnan(r) else f'{r:10.2f}'}")
    adam = np.median(ref.times["adam (all layers)"]) * 1e3
    ref_total += adam
    print(f"{'adam (all layers)':22s} {'(in backward)':>8s} {adam:10.2f}")
    print(f"{'sum':22s} {sim_total:8.2f} {ref_total:10.2f}")


if __name__ == "__main__":
    main(ARGS)
