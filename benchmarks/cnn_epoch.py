"""One epoch of the "larger CNN" on 60,000 images: simnet beside a plain-numpy reference (and PyTorch).

    conv 30 5x5 relu, pool 2x2, conv 15 3x3 relu, pool 2x2, dropout 0.2, flatten,
    dense 128 relu, dense 50 relu, dense 10 softmax; cross-entropy, Adam, batch 200, float32

The plain-numpy reference below is the same network written as arrays and
functions, with no layer objects, no histories and no checks, using the same
kernels as simnet (im2col as ``(batch, C*kh*kw + 1, H*W)`` with a row of ones for
the bias and one batched matrix product per convolution, the input gradient as
the full correlation with the flipped kernels, max pooling through the window
planes with the ReLU derivative folded into the routing): the ratio simnet /
reference is the price of simnet's explicit layers.  PyTorch's CPU build of the same network is
timed too when ``torch`` can be imported (optional: ``pip install -e ".[benchmarks]"``).

All run in this one process on the same batches, alternating batch by batch (a
different implementation first each batch), so a busy spell on a shared
machine hits all of them: the ratios are medians of per-batch ratios, with
their quartiles.  The epoch time is the sum of the batch times.  Per-layer
times are medians over ``--layer-batches`` batches.  The first lines give the
date, the cores this process may run on and the thread settings.

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
    """``(B, C, H, W)`` -> ``(B, C*k*k + 1, Ho*Wo)`` (valid padding, stride 1), the last row ones (the bias's input)."""
    b, c, h, w = x.shape
    ho, wo = h - k + 1, w - k + 1
    cols = np.empty((b, c * k * k + 1, ho * wo), DT)
    np.copyto(cols[:, :-1].reshape(b, c, k, k, ho, wo),
              sliding_window_view(x, (k, k), axis=(2, 3)).transpose(0, 1, 4, 5, 2, 3))
    cols[:, -1] = 1
    return cols


def conv(w, bias, cols, f, ho, wo):
    """The input sums: ``[w.T | bias] @ cols`` per sample, ``(B, F, Ho, Wo)``."""
    wb = np.concatenate([w.T, bias[:, None]], axis=1)
    return np.matmul(wb, cols).reshape(len(cols), f, ho, wo)


def conv_grads(cols, dz):
    """Weight and bias gradients from one product per sample (the row of ones gives the bias's)."""
    b, f = dz.shape[:2]
    dzt = dz.reshape(b, f, -1).transpose(0, 2, 1)
    if cols.shape[1] >= 64:  # as simnet: many patch rows, so the delta is copied to contiguous memory first
        dzt = np.ascontiguousarray(dzt)
    g = np.matmul(cols, dzt).sum(axis=0)
    return g[:-1], g[-1]


def conv_back(w, dz, c, k):
    """Gradient of the input of a valid stride-1 convolution: the full correlation of ``dz`` with the
    flipped kernels, ``w`` (C*k*k, F), ``dz`` (B, F, Ho, Wo) -> (B, C, Ho+k-1, Wo+k-1)."""
    b, f, ho, wo = dz.shape
    h, wd = ho + k - 1, wo + k - 1
    padded = np.zeros((b, f, ho + 2 * (k - 1), wo + 2 * (k - 1)), DT)
    padded[:, :, k - 1:k - 1 + ho, k - 1:k - 1 + wo] = dz
    cols = np.empty((b, f, k, k, h, wd), DT)
    np.copyto(cols, sliding_window_view(padded, (k, k), axis=(2, 3)).transpose(0, 1, 4, 5, 2, 3))
    flipped = np.ascontiguousarray(w.reshape(c, k, k, f)[:, ::-1, ::-1].transpose(0, 3, 1, 2)).reshape(c, -1)
    return np.matmul(flipped, cols.reshape(b, f * k * k, -1)).reshape(b, c, h, wd)


def maxpool(x):
    """2x2 max pooling through the window planes: ``(maxima, planes)``."""
    b, c, h, w = x.shape
    rows = b * c * (h // 2)
    planes = np.empty((2, 2, rows, w // 2), DT)
    np.copyto(planes, x.reshape(rows, 2, w // 2, 2).transpose(1, 3, 0, 2))
    out = np.maximum(planes[0, 0], planes[0, 1])
    np.maximum(out, planes[1, 0], out=out)
    np.maximum(out, planes[1, 1], out=out)
    return out.reshape(b, c, h // 2, w // 2), planes


def unpool_relu(planes, out, d):
    """Route ``d`` to the first maximum of each 2x2 window, times the ReLU derivative there."""
    b, c, ho, wo = out.shape
    rows = b * c * ho
    m, dd = out.reshape(rows, wo), d.reshape(rows, wo)
    dx = np.empty((rows, 2, wo, 2), DT)
    taken = m <= 0  # windows whose maximum is not positive send nothing (ReLU derivative 0)
    for k in range(4):
        u, v = divmod(k, 2)
        hit = planes[u, v] == m
        hit &= ~taken
        taken |= hit
        dx[:, u, :, v] = dd * hit
    return dx.reshape(b, c, 2 * ho, 2 * wo)


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
        a1 = conv(p["w1"], p["b1"], c1, 30, 24, 24)
        np.maximum(a1, 0, out=a1)
        self.lap("conv1 forward")
        p1, planes1 = maxpool(a1)
        self.lap("pool1 forward")
        c2 = im2col(p1, 3)
        a2 = conv(p["w2"], p["b2"], c2, 15, 10, 10)
        np.maximum(a2, 0, out=a2)
        self.lap("conv2 forward")
        p2, planes2 = maxpool(a2)
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
        da2 = unpool_relu(planes2, p2, dp2)
        self.lap("pool2 backward")
        g["w2"], g["b2"] = conv_grads(c2, da2)
        dp1 = conv_back(p["w2"], da2, 30, 3)
        self.lap("conv2 backward")
        da1 = unpool_relu(planes1, p1, dp1)
        self.lap("pool1 backward")
        g["w1"], g["b1"] = conv_grads(c1, da1)
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


def main(args):
    import datetime

    from simnet import Adam

    x, y, what = load_images(args.images)
    bs = args.batch_size
    n_batches = -(-len(x) // bs)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    runners = {}
    net, opt = simnet_network(args.history), Adam(0.001)
    sim = "simnet" + (" (with history)" if args.history else "")
    runners[sim] = lambda xb, yb: net.step(xb, yb, opt)
    ref = Reference(0)
    runners["numpy reference"] = ref.step
    torch_name = None
    threads = f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}"
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("(PyTorch not installed: not timed)")
        else:
            model, topt, lossf = torch_model(args.threads)
            threads += f", torch threads {torch.get_num_threads()}"

            def torch_step(xb, yb):
                xt = torch.from_numpy(xb).reshape(-1, 1, 28, 28)
                t = torch.from_numpy(yb.argmax(axis=1))
                topt.zero_grad()
                loss = lossf(model(xt), t)
                loss.backward()
                topt.step()
                return loss

            torch_name = f"PyTorch {torch.__version__}"
            runners[torch_name] = torch_step
    print(f"{when}; {cores} cores; numpy {np.__version__}, {threads}")
    print(f"one epoch = {len(x):,} images ({what}) in {n_batches} batches of {bs}, float32; "
          f"implementations alternate batch by batch (a different one first each batch)")
    rng = np.random.default_rng(0)
    for name, step in runners.items():  # warm up: buffers, BLAS threads
        for i in range(3):
            step(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
    names = list(runners)
    per_batch = {name: [] for name in names}
    for e in range(args.epochs):
        order = rng.permutation(len(x))
        for k, start in enumerate(range(0, len(x), bs)):  # interleaved: a busy spell hits every implementation
            idx = order[start:start + bs]
            xb, yb = x[idx], y[idx]
            for name in names[k % len(names):] + names[:k % len(names)]:
                t = time.perf_counter()
                runners[name](xb, yb)
                per_batch[name].append(time.perf_counter() - t)
    times = {name: np.array(v) for name, v in per_batch.items()}

    def ratio(a, b):
        """Median and quartiles of the per-batch ratios a / b (paired: the same batch, back to back)."""
        r = times[a] / times[b]
        q1, med, q3 = np.percentile(r, [25, 50, 75])
        return f"{med:.2f}x ({q1:.2f}-{q3:.2f})"

    print("\n| implementation | epoch (s) | median batch (ms) | simnet / this, per batch (median, quartiles) |")
    print("|---|---:|---:|---:|")
    for name in names:
        total = times[name].sum() / args.epochs
        mine = "1" if name == sim else ratio(sim, name)
        print(f"| {name} | {total:.1f} | {np.median(times[name]) * 1e3:.1f} | {mine} |")

    # layer by layer, on the same batches, alternating simnet and the reference batch by batch
    nb = min(args.layer_batches, n_batches)
    ref.times = {}
    st = {}
    for i in range(nb):
        sl = slice(i * bs, (i + 1) * bs)
        ref.step(x[sl], y[sl])
        st_i = simnet_layer_times(net, opt, x[sl], y[sl], 1, bs)
        for k, v in st_i.items():
            st.setdefault(k, []).extend(v)
    print(f"\nper layer, median ms per batch of {bs} over {nb} batches (simnet's backward of a layer is its learn(): "
          f"the source's delta and the weights the source owns)\n")
    print("| layer step | simnet | numpy reference |")
    print("|---|---:|---:|")
    names = [n for n in st if n.endswith("forward")] + ["output delta"] + [n for n in st if n.endswith("backward")]
    sim_total = ref_total = 0.0
    for n in names:
        s = np.median(st[n]) * 1e3
        r = np.median(ref.times[n]) * 1e3 if n in ref.times else float("nan")
        if n.startswith(net.input.name + " "):
            continue  # the input layer: nothing to do
        sim_total += s
        ref_total += 0 if np.isnan(r) else r
        print(f"| {n} | {s:.2f} | {'' if np.isnan(r) else f'{r:.2f}'} |")
    adam = np.median(ref.times["adam (all layers)"]) * 1e3
    ref_total += adam
    print(f"| adam (all layers) | (in backward) | {adam:.2f} |")
    print(f"| sum | {sim_total:.2f} | {ref_total:.2f} |")


if __name__ == "__main__":
    main(ARGS)
