"""One epoch of the "larger CNN": simnet, a plain-numpy reference and PyTorch, each in its own process.

    conv 30 5x5 relu, pool 2x2, conv 15 3x3 relu, pool 2x2, dropout 0.2, flatten,
    dense 128 relu, dense 50 relu, dense 10 softmax; cross-entropy, Adam, batch 200, float32

Every contender runs alone in a fresh process (``paired.py``): the same images in the
same shuffled order, from the same initial weights (simnet's ``build_cnn(0)``, copied
into the others), two warm-up batches, then one timed epoch.  Rounds alternate the
contenders (a different one first each round); the table gives each one's median epoch
and the median and range of the per-round ratios, with each process's peak memory.

Before timing, a check that the three compute the same thing: each trains ``--check-steps``
batches (dropout's mask fixed and shared, so that the three draw nothing different) and
the weights they end with must agree (``check``).

The plain-numpy reference below is the same network as arrays and functions, with no
layer objects, no histories and no checks, using the same kernels as simnet's (im2col with
a row of ones for the bias and one product per sample, the input gradient as the full
correlation with the flipped kernels, max pooling through window planes with the ReLU
derivative folded in), in one thread: simnet / reference is the price of simnet's explicit
layers and the gain of its batch splitting.  PyTorch is timed when ``torch`` imports
(``pip install -e ".[benchmarks]"``).

``--profile N`` adds a per-layer profile: in each contender's own process, N batches timed
layer by layer, forward and backward (simnet: ``train()`` and ``learn()`` of each layer;
the reference: its own steps; PyTorch: module hooks).  Timing each layer separately slows
every contender a little; the profile says where the time goes, not how fast an epoch is.

    python benchmarks/cnn_epoch.py [--images 60000] [--rounds 3] [--profile 20] [--no-torch]
    python benchmarks/cnn_epoch.py --worker simnet|numpy|torch [...]     (one contender, one process)
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paired  # noqa: E402

DT = np.float32
HERE = os.path.abspath(__file__)
LAYERS = ["conv1", "pool1", "conv2", "pool2", "dropout", "flatten", "dense1", "dense2", "output"]


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

    def __init__(self, params, seed=0, mask=None):
        self.rng = np.random.default_rng(seed)
        self.p = {k: v.copy() for k, v in params.items()}
        self.m = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.t = 0
        self.mask = mask  # a fixed dropout keep-mask (375,) of 0/1, or None to draw one each step
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
        keep = (self.rng.random(p2.shape, dtype=DT) >= 0.2) if self.mask is None else self.mask.reshape(15, 5, 5)
        mask = keep * DT(1 / 0.8)
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


# ---- shared start: simnet's initial weights, in the reference's names ----------------------------
def initial_params(seed=0):
    """The weights ``build_cnn(seed)`` draws, as ``{w1, b1, ..., w5, b5}`` (im2col / row form)."""
    from simnet.image_networks import build_cnn

    return simnet_params(build_cnn(seed))


def simnet_params(net):
    """A simnet CNN's weights and biases (views), in the reference's names."""
    la = net.layer
    return {"w1": la("image").weight_row_mat, "b1": la("conv1").bias, "w2": la("pool1").weight_row_mat,
            "b2": la("conv2").bias, "w3": la("flatten").weight_row_mat, "b3": la("dense1").bias,
            "w4": la("dense1").weight_row_mat, "b4": la("dense2").bias, "w5": la("dense2").weight_row_mat,
            "b5": la("output").bias}


def shared_mask():
    """The dropout keep-mask of the check (0/1 for the 375 neurons after pool2), the same for everyone."""
    return (np.random.default_rng(1).random(375) >= 0.2).astype(DT)


# ---- the three contenders, as steps -------------------------------------------------------------------
def make_simnet(mask=None):
    from simnet import Adam
    from simnet.image_networks import build_cnn

    net, opt = build_cnn(0), Adam(0.001)
    if mask is not None:
        net.layer("dropout").fixed_mask = mask

    def params():
        return {k: v.copy() for k, v in simnet_params(net).items()}

    return (lambda xb, yb: net.step(xb, yb, opt)), params, net


def make_reference(mask=None):
    ref = Reference(initial_params(0), mask=mask)
    return ref.step, (lambda: {k: v.copy() for k, v in ref.p.items()}), ref


def make_torch(mask=None):
    import torch
    from torch import nn

    p = initial_params(0)

    class FixedDropout(nn.Module):  # the check's shared mask, scaled as dropout scales
        def __init__(self, keep):
            super().__init__()
            self.scale = torch.from_numpy(keep.reshape(15, 5, 5) / DT(0.8))

        def forward(self, x):
            return x * self.scale

    drop = nn.Dropout(0.2) if mask is None else FixedDropout(mask)
    model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(30, 15, 3), nn.ReLU(),
                          nn.MaxPool2d(2), drop, nn.Flatten(), nn.Linear(375, 128), nn.ReLU(),
                          nn.Linear(128, 50), nn.ReLU(), nn.Linear(50, 10))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(p["w1"].T.reshape(30, 1, 5, 5).copy()))
        model[3].weight.copy_(torch.from_numpy(p["w2"].T.reshape(15, 30, 3, 3).copy()))
        for i, (w, b) in zip((8, 10, 12), (("w3", "b3"), ("w4", "b4"), ("w5", "b5"))):
            model[i].weight.copy_(torch.from_numpy(p[w].T.copy()))
        for i, b in zip((0, 3, 8, 10, 12), ("b1", "b2", "b3", "b4", "b5")):
            model[i].bias.copy_(torch.from_numpy(p[b]))
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    lossf = nn.CrossEntropyLoss()

    def step(xb, yb):
        opt.zero_grad()
        loss = lossf(model(torch.from_numpy(xb).reshape(-1, 1, 28, 28)), torch.from_numpy(yb.argmax(axis=1)))
        loss.backward()
        opt.step()
        return loss

    def params():
        m = model
        return {"w1": m[0].weight.detach().numpy().reshape(30, 25).T.copy(), "b1": m[0].bias.detach().numpy().copy(),
                "w2": m[3].weight.detach().numpy().reshape(15, 270).T.copy(), "b2": m[3].bias.detach().numpy().copy(),
                "w3": m[8].weight.detach().numpy().T.copy(), "b3": m[8].bias.detach().numpy().copy(),
                "w4": m[10].weight.detach().numpy().T.copy(), "b4": m[10].bias.detach().numpy().copy(),
                "w5": m[12].weight.detach().numpy().T.copy(), "b5": m[12].bias.detach().numpy().copy()}

    return step, params, model


MAKERS = {"simnet": make_simnet, "numpy": make_reference, "torch": make_torch}
NAMES = {"simnet": "simnet", "numpy": "numpy reference", "torch": "PyTorch"}


# ---- data ---------------------------------------------------------------------------------------------
def load_images(n):
    """Fashion-MNIST training images when they are here (real ReLU sparsity), else uniform noise."""
    from simnet.data import DatasetNotFoundError, load_dataset, one_hot, to_inputs

    try:
        images, labels = load_dataset("fashion-mnist", "train", download=False)
        reps = -(-n // len(images))
        x = np.concatenate([to_inputs(images[:n])] * reps)[:n]
        return x, np.concatenate([one_hot(labels[:n])] * reps)[:n], "Fashion-MNIST training images"
    except DatasetNotFoundError:
        rng = np.random.default_rng(0)
        return (rng.random((n, 784), dtype=DT), np.eye(10, dtype=DT)[rng.integers(0, 10, n)],
                "uniform noise (Fashion-MNIST not found)")


# ---- one contender in this process -----------------------------------------------------------------
def torch_profile(model, step, x, y, batches, bs):
    """PyTorch per module, by hooks: forward from pre-hook to hook, backward likewise; a ReLU's time
    goes to the simnet layer that does that work (forward: the layer before; backward: the layer after)."""
    names = {0: "conv1", 1: "conv1", 2: "pool1", 3: "conv2", 4: "conv2", 5: "pool2", 6: "dropout", 7: "flatten",
             8: "dense1", 9: "dense1", 10: "dense2", 11: "dense2", 12: "output"}
    back = {0: "conv1", 1: "pool1", 2: "pool1", 3: "conv2", 4: "pool2", 5: "pool2", 6: "dropout", 7: "flatten",
            8: "dense1", 9: "dense2", 10: "dense2", 11: "output", 12: "output"}
    acc = {}
    start = {}

    def pre(i, kind):
        return lambda *a: start.__setitem__((i, kind), time.perf_counter())

    def post(i, kind):
        def hook(*a):
            name = f"{(names if kind == 'forward' else back)[i]} {kind}"
            if i == 0 and kind == "backward":  # conv1's weight gradient is made after its hook fires: not seen
                return
            acc[name] = acc.get(name, 0.0) + time.perf_counter() - start.pop((i, kind), time.perf_counter())
        return hook

    for i, mod in enumerate(model):
        mod.register_forward_pre_hook(pre(i, "forward"))
        mod.register_forward_hook(post(i, "forward"))
        mod.register_full_backward_pre_hook(pre(i, "backward"))
        mod.register_full_backward_hook(post(i, "backward"))
    times = {}
    for i in range(batches):
        acc.clear()
        t = time.perf_counter()
        step(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
        total = time.perf_counter() - t
        for k, v in acc.items():
            times.setdefault(k, []).append(v)
        times.setdefault("whole step", []).append(total)
    return times


def simnet_profile(net, step, x, y, batches, bs):
    """simnet per layer: ``train()`` forward, ``learn()`` backward (the source's delta and the update)."""
    from simnet import Adam

    opt = Adam(0.001)
    times = {}
    with net._own_threads():  # as Network.step runs them: BLAS at one thread beside simnet's own
        _simnet_profile(net, opt, x, y, batches, bs, times)
    return times


def _simnet_profile(net, opt, x, y, batches, bs, times):
    for i in range(batches):
        xb, yb = x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs]
        t0 = time.perf_counter()
        net.input._load(xb)
        for la in net.layers[1:]:
            t = time.perf_counter()
            la.train()
            times.setdefault(f"{la.name} forward", []).append(time.perf_counter() - t)
        net.output._calc_delta(yb)
        for la in reversed(net.layers[1:]):
            t = time.perf_counter()
            la.learn(opt, False)
            times.setdefault(f"{la.name} backward", []).append(time.perf_counter() - t)
        times.setdefault("whole step", []).append(time.perf_counter() - t0)


def worker(args):
    bs = args.batch_size
    x, y, what = load_images(max(args.images, args.check_steps * bs, (args.profile + 2) * bs))
    mask = shared_mask() if args.check_steps else None
    step, params, obj = MAKERS[args.worker](mask)
    torch = None
    if args.worker == "torch":
        import torch
    if args.check_steps:  # the same batches in order, the same mask: save the weights for the parent
        for i in range(args.check_steps):
            step(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
        np.savez(args.save, **params())
        paired.worker_result(contender=args.worker, seconds=0.0)
        return
    if args.profile:
        for i in range(2):
            step(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
        if args.worker == "simnet":
            times = simnet_profile(obj, step, x, y, args.profile, bs)
        elif args.worker == "numpy":
            obj.times = {}
            times = {}
            for i in range(args.profile):
                t = time.perf_counter()
                step(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
                times.setdefault("whole step", []).append(time.perf_counter() - t)
            times.update(obj.times)
        else:
            times = torch_profile(obj, step, x, y, args.profile, bs)
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        paired.worker_result(contender=args.worker, seconds=med["whole step"] / 1e3, layers_ms=med,
                             threads=paired.thread_settings(args.worker, torch))
        return
    order = np.random.default_rng(0).permutation(len(x))
    for i in range(2):  # warm-up: buffers, thread pools, PyTorch's kernel choices
        step(x[order[i * bs:(i + 1) * bs]], y[order[i * bs:(i + 1) * bs]])
    with paired.Clock() as c:
        for start in range(0, len(order), bs):
            idx = order[start:start + bs]
            step(x[idx], y[idx])
    paired.worker_result(contender=args.worker, seconds=c.wall, cpu_seconds=c.cpu, batches=-(-len(x) // bs),
                         images=len(x), data=what, threads=paired.thread_settings(args.worker, torch))


# ---- the parent ------------------------------------------------------------------------------------------
def contenders(args, extra=()):
    names = ["simnet", "numpy"] + ([] if args.no_torch or not paired.has_torch() else ["torch"])
    base = [HERE, "--images", str(args.images), "--batch-size", str(args.batch_size), *extra]
    return {NAMES[n]: base + ["--worker", n] for n in names}


def check(args, steps=10):
    """Each contender trains ``steps`` batches (shared dropout mask) in its own process; their weights must agree:
    for every array, the distance to the reference's is under 2% of how far the reference's moved."""
    import tempfile

    p0 = initial_params(0)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in contenders(args).items():
            path = os.path.join(tmp, name.split()[0] + ".npz")
            paired.run_worker(argv + ["--check-steps", str(steps), "--save", path])
            with np.load(path) as f:
                out[name] = {k: f[k] for k in f.files}
    ref = out[NAMES["numpy"]]
    gaps = {}
    for name, p in out.items():
        if name == NAMES["numpy"]:
            continue
        gaps[name] = max(float(np.linalg.norm(p[k] - ref[k]) / np.linalg.norm(ref[k] - p0[k])) for k in ref)
    for name, g in gaps.items():
        assert g < 0.02, f"{name}'s weights after {steps} steps are {g:.2g} of the reference's change away from them"
    return gaps


def run(args):
    """The check, the timed rounds and (with ``--profile``) the per-layer profile; returns a dict of results."""
    gaps = check(args)
    results = paired.alternate(contenders(args), args.rounds)
    prof = None
    if args.profile:
        prof = paired.alternate(contenders(args, ["--profile", str(args.profile)]), 1)
    return {"gaps": gaps, "results": results, "profile": prof, "images": args.images, "batch": args.batch_size,
            "rounds": args.rounds}


def table(out):
    res = out["results"]
    names = list(res)
    first = res[names[0]][0]
    lines = [f"one epoch = {first['images']:,} images ({first['data']}) in {first['batches']} batches of "
             f"{out['batch']}, float32, after 2 warm-up batches; {out['rounds']} rounds, each contender in its own "
             f"process, in turns",
             "",
             "| contender | epoch s, median (range) | CPU s, median | peak RSS MB | simnet / this, per round: median "
             "(range) | threads |",
             "|---|---:|---:|---:|---:|---|"]
    for n in names:
        r = "1" if n == "simnet" else str(paired.ratio(res, "simnet", n))
        th = res[n][0]["threads"]
        th = ", ".join(f"{k} {v}" for k, v in th.items() if k in ("simnet threads", "torch threads")
                       or v != "default") or "libraries' defaults"
        lines.append(f"| {n} | {paired.spread(res, n)} | {paired.median(res, n, 'cpu_seconds'):.2f} | "
                     f"{max(r_['peak_rss_mb'] for r_ in res[n]):.0f} | {r} | {th} |")
    lines.append("")
    lines.append("same computation: after 10 steps from the same weights (shared dropout mask), the largest "
                 "distance of any weight array from the reference's, relative to how far the reference's moved: "
                 + ", ".join(f"{n} {g:.1e}" for n, g in out["gaps"].items()))
    return "\n".join(lines)


def profile_table(out):
    prof = out["profile"]
    if not prof:
        return ""
    cols = list(prof)
    layers = {n: prof[n][0]["layers_ms"] for n in cols}
    keys = [f"{la} forward" for la in LAYERS] + [f"{la} backward" for la in reversed(LAYERS)]
    lines = ["| layer step (profile, ms per batch) | " + " | ".join(cols) + " |",
             "|---|" + "---:|" * len(cols)]
    for k in keys + ["adam (all layers)", "whole step"]:
        if not any(k in layers[n] for n in cols):
            continue
        cells = [f"{layers[n][k]:.2f}" if k in layers[n] else "" for n in cols]
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=60000, help="training images in the epoch (60000)")
    p.add_argument("--batch-size", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3, help="rounds of the contenders in turns (3)")
    p.add_argument("--profile", type=int, default=0, help="batches of the per-layer profile (0: none)")
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even when it is installed")
    p.add_argument("--worker", choices=sorted(MAKERS), help=argparse.SUPPRESS)
    p.add_argument("--check-steps", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--save", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return None
    print(paired.describe_machine(paired.machine()), flush=True)
    out = run(args)
    print(table(out))
    if out["profile"]:
        print("\nper-layer profile (each contender in its own process; median ms per batch):\n")
        print(profile_table(out))
    print(paired.load_now())
    return out


if __name__ == "__main__":
    main()
