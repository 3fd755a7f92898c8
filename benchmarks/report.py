"""Every speed figure of the README and of docs/speed.md, from one run, each contender in its own process.

    python benchmarks/report.py            # full: about 9 minutes on an idle 2-core machine
    python benchmarks/report.py --quick    # smaller epochs and fewer points: under 2 minutes
    python benchmarks/report.py --threads 1   # one thread for everyone (BLAS, PyTorch, simnet's split)

It runs, in turn, ``dense_epoch.py`` (784-128-10, one epoch at batch 1, 32 and 128),
``cnn_epoch.py`` (the larger CNN, one epoch at batch 200, and a per-layer profile) and
``growth.py`` (time per sample against hidden width and batch size, and its figure).
Every contender runs alone in its own process, the contenders in turns over rounds
(``paired.py``); ratios are medians of the per-round ratios, with their range.

It writes ``docs/speed.md`` (every table, the machine, the date, the command) and the
README's speed section between ``<!-- speed:begin -->`` and ``<!-- speed:end -->``, and
``docs/speed_growth.png``; ``--print-only`` writes nothing.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller epochs, fewer points: a check in under 2 minutes")
    p.add_argument("--threads", type=int, help="threads for BLAS, PyTorch and simnet's split (default: their own)")
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even when it is installed")
    p.add_argument("--print-only", action="store_true", help="print the report, write no file")
    p.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    p.add_argument("--doc", default=os.path.join(ROOT, "docs", "speed.md"))
    return p.parse_args(argv)


def settings(args):
    if args.quick:
        return {"dense": ["--samples", "5000", "--rounds", "3", "--batches", "1,32", "--torch-from", "32"],
                "cnn": ["--images", "4000", "--rounds", "3", "--profile", "5"],
                "growth": ["--quick", "--rounds", "2", "--samples", "1024"]}
    return {"dense": ["--samples", "60000", "--rounds", "3", "--batches", "1,32,128", "--history"],
            "cnn": ["--images", "60000", "--rounds", "5", "--profile", "20"],
            "growth": ["--rounds", "3", "--samples", "4096"]}


def where(growth):
    """Plain sentences from the growth run: where simnet is ahead of each contender, where behind."""
    import growth as g

    out = []
    for sweep, o in growth.items():
        for other in [n for n in o["us"] if n != "simnet"]:
            rs = g.ratios(o, "simnet", other)
            ahead = [p for p in o["points"] if rs[p][0] < 1]
            behind = [p for p in o["points"] if rs[p][0] >= 1]
            lo = min(o["points"], key=lambda p: rs[p][0])
            hi = max(o["points"], key=lambda p: rs[p][0])
            out.append(f"{g.SWEEPS[sweep]['label']}, simnet / {other}: ahead at {fmt(ahead)}, behind at {fmt(behind)} "
                       f"(from {rs[lo][0]:.2f}x at {lo} to {rs[hi][0]:.2f}x at {hi})")
    return out


def fmt(points):
    return "no point" if not points else ", ".join(str(p) for p in points)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:  # for every child process
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "SIMNET_THREADS"):
            os.environ[var] = str(args.threads)
    sys.path.insert(0, HERE)
    import cnn_epoch
    import dense_epoch
    import growth
    import paired

    cfg = settings(args)
    torch = [] if not args.no_torch else ["--no-torch"]
    command = "python benchmarks/report.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    m = paired.machine()
    print(paired.describe_machine(m), flush=True)

    print("\n## 784-128-10, one epoch (dense_epoch.py)\n", flush=True)
    d_args = dense_epoch.parse_args(cfg["dense"] + torch)
    dense = dense_epoch.run(d_args)
    dense_md = dense_epoch.table(dense, d_args.rounds)
    print(dense_md, flush=True)

    print("\n## The larger CNN, one epoch (cnn_epoch.py)\n", flush=True)
    c_args = cnn_epoch.parse_args(cfg["cnn"] + torch)
    cnn = cnn_epoch.run(c_args)
    cnn_md, prof_md = cnn_epoch.table(cnn), cnn_epoch.profile_table(cnn)
    print(cnn_md + "\n\n" + prof_md, flush=True)

    print("\n## How the cost grows (growth.py)\n", flush=True)
    g_args = growth.parse_args(cfg["growth"] + torch)
    grown = growth.run(g_args)
    growth_md = growth.table(grown)
    sentences = where(grown)
    print(growth_md + "\n\n" + "\n".join(sentences), flush=True)
    load_after = paired.load_now()
    print(load_after)

    md, short = render(m, command, load_after, dense, dense_md, cnn, cnn_md, prof_md, grown, growth_md, sentences,
                       args, d_args, c_args, g_args)
    if args.print_only:
        print("\n" + short)
        return
    fig = os.path.join(os.path.dirname(args.doc), "speed_growth.png")
    load = f"load average {m['load'][0]:.1f} at the start, {load_after.split()[2]} at the end" if m["load"] else ""
    growth.figure(grown, fig, f"simnet, numpy and PyTorch, each in its own process; {m['date']}, {m['cores']} cores, "
                              f"{load}; median of {g_args.rounds} rounds (range shaded)")
    with open(args.doc, "w") as f:
        f.write(md)
    write_readme(args.readme, short)
    print(f"\nwrote {os.path.relpath(args.doc, ROOT)}, {os.path.relpath(fig, ROOT)} and the README's speed section")


def write_readme(path, section):
    with open(path) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        print(f"(README has no {BEGIN} ... {END} markers: its speed section was not written)")
        return
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + section.strip() + "\n" + END + tail)


def busy_note(m, load_after):
    """A warning when other work was running: a load average above the cores, at the start or at the end."""
    try:
        after = float(load_after.split()[2])
    except (IndexError, ValueError):
        after = 0.0
    start = m["load"][0] if m["load"] else 0.0
    if max(start, after) <= m["cores"]:
        return ""
    return (f"**The machine was busy** (load average {start:.1f} at the start and {after:.1f} at the end, on "
            f"{m['cores']} cores): other processes took turns with every contender, so these times are several "
            f"times an idle machine's and the ratios say more about how each library copes with busy cores "
            f"(PyTorch's and OpenBLAS's waiting threads suffer most) than about its speed. Run it again on an "
            f"idle machine before reading anything into them.")


def cnn_verdict(cnn):
    """One sentence on the CNN against PyTorch: at or under 1.0x, or by how much not, and where the time is."""
    import paired

    res = cnn["results"]
    if "PyTorch" not in res:
        return "The CNN was not timed against PyTorch (not installed)."
    r = paired.ratio(res, "simnet", "PyTorch")
    head = (f"The CNN's epoch took {r} of PyTorch's time (median and range of {r.rounds} rounds): "
            + ("at or under PyTorch's time." if r.median <= 1.0 else "above PyTorch's time."))
    prof = cnn.get("profile")
    if not prof or "simnet" not in prof:
        return head
    mine = prof["simnet"][0]["layers_ms"]
    theirs = prof.get("PyTorch", [{}])[0].get("layers_ms", {})
    steps = sorted((k for k in mine if k != "whole step"), key=lambda k: -mine[k])[:4]
    where_ = "; ".join(f"{k} {mine[k]:.1f} ms" + (f" (PyTorch {theirs[k]:.1f})" if k in theirs else "") for k in steps)
    return head + f" Where simnet's step spends its time (profile, ms per batch): {where_}."


def render(m, command, load_after, dense, dense_md, cnn, cnn_md, prof_md, grown, growth_md, sentences, args, d_args,
           c_args, g_args):
    import paired

    machine = paired.describe_machine(m).split("; ", 1)[1]  # the date is said first
    when = f"Run of **{m['date']}** by `{command}`: {machine}; at the end, {load_after}."
    busy = busy_note(m, load_after)
    if busy:
        when += "\n\n" + busy
    res = cnn["results"]
    torch = "PyTorch" in res
    rows = []
    b1 = dense.get(1)
    if b1:
        r = b1["results"]
        rows.append(f"| 784-128-10, per-sample step (batch 1), one epoch | {paired.median(r, 'simnet'):.2f} s | "
                    f"{paired.median(r, 'numpy'):.2f} s | "
                    + (f"{paired.median(r, 'PyTorch'):.2f} s | " if "PyTorch" in r else "- | ")
                    + f"**{paired.ratio(r, 'simnet', 'numpy')}** | "
                    + (f"{paired.ratio(r, 'simnet', 'PyTorch')} |" if "PyTorch" in r else "- |"))
    for b in (32, 128):
        if b in dense:
            r = dense[b]["results"]
            rows.append(f"| same, batch {b} | {paired.median(r, 'simnet'):.2f} s | {paired.median(r, 'numpy'):.2f} s | "
                        + (f"{paired.median(r, 'PyTorch'):.2f} s | " if "PyTorch" in r else "- | ")
                        + f"{paired.ratio(r, 'simnet', 'numpy')} | "
                        + (f"**{paired.ratio(r, 'simnet', 'PyTorch')}** |" if "PyTorch" in r else "- |"))
    rows.append(f"| larger CNN, one epoch of {res['simnet'][0]['images']:,} images, batch 200 | "
                f"{paired.median(res, 'simnet'):.1f} s | {paired.median(res, 'numpy reference'):.1f} s | "
                + (f"{paired.median(res, 'PyTorch'):.1f} s | " if torch else "- | ")
                + f"{paired.ratio(res, 'simnet', 'numpy reference')} | "
                + (f"**{paired.ratio(res, 'simnet', 'PyTorch')}** |" if torch else "- |"))
    table = ("| work | simnet | plain numpy | PyTorch | simnet / numpy | simnet / PyTorch |\n"
             "| --- | ---: | ---: | ---: | ---: | ---: |\n" + "\n".join(rows))
    rounds = f"{d_args.rounds} rounds (dense) and {c_args.rounds} (CNN)"
    verdict = cnn_verdict(cnn)
    short = f"""{when}

Each contender (simnet, the same network in plain numpy, PyTorch's CPU build) runs alone in its own
process on the same data from the same initial weights, the contenders in turns, {rounds};
times are medians, ratios the median (range) of the per-round ratios. The benchmarks check first
that the contenders end with the same weights.

{table}

{verdict}

{chr(10).join('- ' + s for s in sentences)}

Why, in short: at small batches every step is a few dozen small array operations, and simnet's
(numpy's) cost per operation is lower than PyTorch's dispatch and autograd, so simnet is ahead;
at large widths and batches the time goes to the matrix products (numpy's OpenBLAS against PyTorch's
own kernels) and to element-wise passes, which PyTorch runs on every core and numpy on one. The CNN's
convolutions are im2col and one product per sample in numpy, split over the cores by batch
(`SIMNET_THREADS`), with BLAS at one thread meanwhile (OpenBLAS's idle threads spin and would take
those cores), against PyTorch's oneDNN kernels. Tables, the per-layer profile and the figures:
[docs/speed.md](docs/speed.md)."""
    md = f"""# Speed

{when}

Generated by `benchmarks/report.py` (do not edit by hand: run it again). Every contender runs
alone in its own Python process (`benchmarks/paired.py`): the contenders take turns, a different
one first in each round, and each process times its own work after loading the data and building
its network; a ratio is taken within a round and reported as the median (range) over the rounds.
The machine's load average is printed before and after because on a shared machine the spread is
the point. Peak RSS is each process's own (`ru_maxrss`), data included (the images a run uses as
float32, 188 MB for 60,000, beside the 47 MB file as read). Thread settings are the libraries'
defaults unless `--threads` was given: OpenBLAS's and PyTorch's are one per core, and simnet
splits each batch of the convolution and pooling layers over the cores (`SIMNET_THREADS`).

## 784-128-10 on Fashion-MNIST, one epoch (`benchmarks/dense_epoch.py`)

{dense_md}

## The larger CNN, one epoch (`benchmarks/cnn_epoch.py`)

conv 30 5x5 relu, pool 2x2, conv 15 3x3 relu, pool 2x2, dropout 0.2, dense 128 relu, 50 relu,
10 softmax; cross-entropy, Adam, batch 200, float32.

{cnn_md}

{verdict}

### Per-layer profile (a profile, not the headline)

Each contender in its own process, {c_args.profile} batches timed layer by layer, median ms per
batch. Timing each layer on its own slows every contender a little, so the whole-step row is
above the epoch's time per batch. simnet's backward of a layer is its `learn()`: the source's
delta and the update of the weights the source owns, Adam included; a ReLU's derivative is
counted where simnet applies it (max pooling folds its source's into its routing). PyTorch's
rows come from module hooks and include its ReLU modules the same way; a backward hook fires
when the module's input gradient is ready, and PyTorch may make the weight gradients after it,
so its backward rows can understate (conv1's, which has no input gradient, is not shown).

{prof_md}

## How the cost grows (`benchmarks/growth.py`)

![time per sample against width and batch size](speed_growth.png)

{growth_md}

{chr(10).join('- ' + s for s in sentences)}

Why:

- **Small batches.** A step of 784-128-10 is about twenty array operations whatever the batch;
  at batch 1 each is a few microseconds of numpy call overhead, and PyTorch's per-operation
  dispatch and autograd bookkeeping cost several times that, so simnet (and the numpy
  reference) are far ahead of PyTorch there. simnet's explicit layers cost a few
  microseconds a step more than the reference's bare functions.
- **Large widths and batches.** The time goes to the matrix products (numpy's OpenBLAS,
  PyTorch's own kernels) and to the element-wise passes (bias, ReLU, softmax, the update),
  which PyTorch spreads over every core and numpy runs in one thread; the ratios move towards
  the ratio of those libraries' kernels on this CPU.
- **The CNN.** simnet's convolution is im2col (a copy of every patch) and one product per
  sample, its pooling a copy into window planes; PyTorch calls oneDNN's direct convolution and
  pooling kernels. simnet splits each batch of these layers over the cores (`simnet/maps/split.py`),
  the same numbers for any thread count; at batch 1 nothing is split, and the per-layer Python
  work of simnet's ten layers is what a sample costs.

## The hot path (how it is kept fast, and tested)

The per-sample step (`Network.step`, and `fit` through it) is close to numpy's floor because its hot
path does nothing else: `learn(optimizer, check=False)` skips the checks its own forward step makes
unnecessary; the SGD of a plain learning rate is made once; the monitors are plain lists walked
without a dictionary lookup; the loss of each sample is computed only when read
(`output.sample_errors`); and after the first step **it allocates no array**:
activations keep their training buffers (ReLU's derivative is `sign(y)` in the delta's own type,
with no boolean mask and no conversion buffer; softmax's row maxima and sums, sigmoid's in-place
forward, the tanh/sigmoid/softmax derivatives), Adam keeps one scratch buffer, dropout draws its
random numbers into a buffer, and `run_epoch` gathers each mini-batch straight into the input
neurons. `tests/test_hot_path.py` checks this with `tracemalloc` (zero array bytes at batch 1 over
five steps, for four activation and optimizer pairs; at batch 32, and for a step of the CNN, nothing
but numpy's own broadcast buffer of `np.getbufsize()` numbers) and that a step runs with every check
function replaced by one that raises.

The CNN's convolution and pooling layers split each batch over threads (`simnet/maps/split.py`,
`SIMNET_THREADS`, default the cores this process may use): each part writes only its own samples'
rows and sums over the batch stay in one thread, so the numbers are the same, bit for bit, for any
thread count (`tests/test_split.py`).
"""
    return md, short


if __name__ == "__main__":
    main()
