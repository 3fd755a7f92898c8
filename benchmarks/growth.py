"""How the cost grows: time per sample against hidden width and batch size, simnet, numpy and PyTorch.

Three sweeps, each contender in its own process (``paired.py``), in turns, over rounds:

- ``width``: 784-N-10 (ReLU, softmax, cross-entropy, SGD, float32) at batch 32, N from 16 to 2048;
- ``batch``: 784-128-10 at batch 1 to 1024;
- ``cnn``: the larger CNN (``cnn_epoch.py``'s three contenders) at batch 1 to 512.

A contender's process runs every point of a sweep, one after another: at each, two
warm-up steps, then enough steps for ``--samples`` samples (at least 3 steps), timed.
The figure (``--figure``) shows microseconds per sample on log axes, the median over the
rounds with the range shaded, and below it simnet / each other contender per round
(median and range); 1.0 is parity.

    python benchmarks/growth.py [--rounds 3] [--samples 4096] [--figure docs/speed_growth.png] [--no-torch]
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paired  # noqa: E402

HERE = os.path.abspath(__file__)
SWEEPS = {
    "width": {"points": [16, 32, 64, 128, 256, 512, 1024, 2048], "label": "hidden width N (784-N-10, batch 32)"},
    "batch": {"points": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], "label": "batch size (784-128-10)"},
    "cnn": {"points": [1, 4, 16, 64, 200, 512], "label": "batch size (the larger CNN)"},
}
QUICK = {"width": [16, 128, 1024, 2048], "batch": [1, 32, 256, 1024], "cnn": [1, 16, 200]}
NAMES = {"simnet": "simnet", "numpy": "numpy", "torch": "PyTorch"}


def dense_step(name, hidden):
    import dense_epoch

    if name == "simnet":
        net = dense_epoch.make_simnet(hidden)
        return lambda a, b: net.step(a, b, dense_epoch.LR)
    start = dense_epoch.start_weights(hidden)
    return (dense_epoch.PlainNumpy if name == "numpy" else dense_epoch.Torch)(*start).step


def cnn_step(name):
    import cnn_epoch

    return cnn_epoch.MAKERS[name]()[0]


def worker(args):
    """Every point of every sweep asked for, for one contender, in this one process."""
    import cnn_epoch

    todo = {sweep: [int(p) for p in pts.split(",")] for sweep, pts in (s.split(":") for s in args.points.split(";"))}
    biggest = max(max(p for p in pts) for pts in todo.values())
    x, y, _ = cnn_epoch.load_images(max(args.samples, 3 * biggest) + 2 * biggest)
    out = {}
    for sweep, points in todo.items():
        out[sweep] = {}
        for p in points:
            if sweep == "width":
                step, batch = dense_step(args.worker, p), 32
            elif sweep == "batch":
                step, batch = dense_step(args.worker, 128), p
            else:
                step, batch = cnn_step(args.worker), p
            for i in range(2):
                step(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch])
            samples = args.samples if sweep != "cnn" else max(args.samples // 4, 256)
            steps = max(3, samples // batch)
            starts = np.random.default_rng(0).integers(0, len(x) - batch, steps)
            t = time.perf_counter()
            for s in starts:
                step(x[s:s + batch], y[s:s + batch])
            out[sweep][p] = (time.perf_counter() - t) / (steps * batch) * 1e6
    torch = None
    if args.worker == "torch":
        import torch
    paired.worker_result(contender=args.worker, seconds=sum(sum(v.values()) for v in out.values()) / 1e6,
                         us_per_sample=out, threads=paired.thread_settings(args.worker, torch))


def run(args):
    """One process per contender and round runs every sweep; the contenders in turns."""
    torch = not args.no_torch and paired.has_torch()
    sweeps = args.sweeps.split(",")
    points = {sw: QUICK[sw] if args.quick else SWEEPS[sw]["points"] for sw in sweeps}
    spec = ";".join(f"{sw}:{','.join(map(str, pts))}" for sw, pts in points.items())
    names = ["simnet", "numpy"] + (["torch"] if torch else [])
    cmds = {NAMES[n]: [HERE, "--worker", n, "--points", spec, "--samples", str(args.samples)] for n in names}
    print("growth:", file=sys.stderr, flush=True)
    res = paired.alternate(cmds, args.rounds)
    out = {}
    for sw in sweeps:
        per = {n: {p: [r["us_per_sample"][sw][str(p)] for r in rounds] for p in points[sw]} for n, rounds in res.items()}
        out[sw] = {"points": points[sw], "us": per}
    return out


def ratios(o, a, b):
    """Per point: (median, low, high) over the rounds of a's time / b's."""
    rs = {}
    for p in o["points"]:
        r = [x / y for x, y in zip(o["us"][a][p], o["us"][b][p])]
        rs[p] = (statistics.median(r), min(r), max(r))
    return rs


def table(out):
    blocks = []
    for sweep, o in out.items():
        names = list(o["us"])
        others = [n for n in names if n != "simnet"]
        head = ("| " + SWEEPS[sweep]["label"] + " | " + " | ".join(f"{n} us/sample" for n in names) + " | "
                + " | ".join(f"simnet / {n}" for n in others) + " |")
        lines = [head, "|---:|" + "---:|" * (len(names) + len(others))]
        rs = {n: ratios(o, "simnet", n) for n in others}
        for p in o["points"]:
            cells = [f"{statistics.median(o['us'][n][p]):.1f}" for n in names]
            cells += [f"{rs[n][p][0]:.2f}x ({rs[n][p][1]:.2f}-{rs[n][p][2]:.2f})" for n in others]
            lines.append(f"| {p} | " + " | ".join(cells) + " |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def figure(out, path, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sweeps = list(out)
    fig, axes = plt.subplots(2, len(sweeps), figsize=(5.2 * len(sweeps), 7.5), squeeze=False,
                             gridspec_kw={"height_ratios": [3, 2]})
    colours = {"simnet": "tab:blue", "numpy": "tab:green", "PyTorch": "tab:orange"}
    for j, sweep in enumerate(sweeps):
        o = out[sweep]
        pts = o["points"]
        top, bottom = axes[0, j], axes[1, j]
        for n, per in o["us"].items():
            med = [statistics.median(per[p]) for p in pts]
            top.plot(pts, med, "o-", color=colours[n], label=n)
            top.fill_between(pts, [min(per[p]) for p in pts], [max(per[p]) for p in pts], color=colours[n], alpha=0.2)
        top.set_xscale("log", base=2)
        top.set_xticks(pts, [str(p) for p in pts])
        top.minorticks_off()
        top.set_yscale("log")
        top.set_ylabel("microseconds per sample (log)")
        top.set_title(SWEEPS[sweep]["label"])
        top.grid(True, which="both", alpha=0.3)
        top.legend()
        for n in o["us"]:
            if n == "simnet":
                continue
            rs = ratios(o, "simnet", n)
            bottom.plot(pts, [rs[p][0] for p in pts], "o-", color=colours[n], label=f"simnet / {n}")
            bottom.fill_between(pts, [rs[p][1] for p in pts], [rs[p][2] for p in pts], color=colours[n], alpha=0.2)
        bottom.axhline(1.0, color="black", lw=1, ls="--")
        bottom.set_xscale("log", base=2)
        bottom.set_xticks(pts, [str(p) for p in pts])
        bottom.set_yscale("log")
        bottom.set_xlabel(SWEEPS[sweep]["label"])
        bottom.set_ylabel("simnet's time / theirs (log; < 1: simnet faster)")
        bottom.grid(True, which="both", alpha=0.3)
        bottom.legend()
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sweeps", default="width,batch,cnn")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--samples", type=int, default=4096, help="samples timed per point (the CNN: a quarter, >= 256)")
    p.add_argument("--quick", action="store_true", help="fewer points")
    p.add_argument("--figure", help="write the figure here (PNG)")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--worker", choices=sorted(NAMES), help=argparse.SUPPRESS)
    p.add_argument("--points", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return None
    m = paired.machine()
    print(paired.describe_machine(m), flush=True)
    out = run(args)
    print(table(out))
    if args.figure:
        figure(out, args.figure, f"simnet, numpy and PyTorch, each in its own process; {m['date']}, {m['cores']} cores, "
                                 f"median of {args.rounds} rounds (range shaded)")
        print(f"figure: {args.figure}")
    return out


if __name__ == "__main__":
    main()
