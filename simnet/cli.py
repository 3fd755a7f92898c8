"""``simnet`` command line: ``simnet plot RUN [--plots DIR] [--show]`` redraws every figure of a saved run;
``simnet view RUN [--no-open]`` writes its explorer page."""
import argparse
import sys


def layer_sizes(text):
    """An argparse type: ``"4"`` or ``"4,2"`` -> ``[4]`` or ``[4, 2]``, all positive."""
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"layer sizes must be integers like 4 or 128,64, got {text!r}") from None
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def image_arguments(p, dataset, defaults):
    """The options the image scenarios share, added to the ArgumentParser ``p``.

    ``defaults`` gives ``epochs``, ``batch_size``, ``lr``, ``lr_decay`` and ``optimizer``.
    """
    import os

    import numpy as np

    from .data import DATASETS

    p.add_argument("--dataset", default=dataset, choices=sorted(DATASETS), help=f"data set (default {dataset})")
    p.add_argument("--data", help="folder holding the IDX .gz files (searched first)")
    p.add_argument("--no-download", action="store_true", help="never download; use local files only")
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"],
                   help=f"({defaults['optimizer']}; with --load: the saved run's)")
    p.add_argument("--lr", type=float, help=f"learning rate ({defaults['lr']}; with --load: the saved run's)")
    p.add_argument("--lr-decay", type=float,
                   help=f"learning rate factor per epoch ({defaults['lr_decay']}; with --load: the saved run's)")
    p.add_argument("--batch-size", type=int, default=defaults["batch_size"],
                   help=f"samples per step ({defaults['batch_size']})")
    p.add_argument("--epochs", type=int, default=defaults["epochs"],
                   help=f"passes over the training set ({defaults['epochs']})")
    p.add_argument("--seed", type=int, default=0, help="seed of the network's generator (weights, shuffling)")
    p.add_argument("--dtype", choices=["float32", "float64"], help="float32; with --load: the saved network's")
    p.add_argument("--train-size", type=int,
                   help="offline MNIST only: test-set images used for training (8000; the rest test)")
    p.add_argument("--plots", help="folder for the figures (default plots/<dataset>)")
    p.add_argument("--no-plots", action="store_true", help="write no figures")
    p.add_argument("--save", help="folder to save the trained network and its history into")
    p.add_argument("--load", help="folder of a saved network: evaluate it (--epochs 0) or train it further")
    p.add_argument("--on-divergence", choices=["stop", "raise"], default="stop",
                   help="when the loss becomes NaN or infinite: stop and keep the history (default), or raise")
    p.add_argument("--l2", type=float, metavar="LAMBDA",
                   help="L2 weight decay in Nielsen's form: each step the weights (not the biases) shrink by "
                        "1 - lr*LAMBDA/n, n the number of training images (0: none; with --load: the saved run's)")
    p.add_argument("--validation", type=int, metavar="N",
                   help="hold out the last N training images: validate on them every epoch, test once at the end "
                        "(Nielsen: 10000 of MNIST's 60,000, leaving 50,000 to train on)")
    p.add_argument("--early-stop", type=int, metavar="K",
                   help="with --validation: stop after K epochs without a better validation accuracy and keep "
                        "the best epoch's weights")
    p.add_argument("--init-weights", metavar="FILE",
                   help="start from the weights and biases in FILE (.npz or .json, one array per connection "
                        "named '<source>-><target>' in row form, and '<layer>.bias'; see simnet/saving/init_weights.py)")

    def check(args):
        # what the command line said explicitly (a loaded run keeps its own settings otherwise)
        args.explicit = {name for name in SCHEDULE + ("dtype",) if getattr(args, name) is not None}
        for name in SCHEDULE:
            if getattr(args, name) is None:
                setattr(args, name, defaults[name])
        if args.dtype is None:
            args.dtype = "float32"
        for name in ("lr", "lr_decay"):
            value = getattr(args, name)
            if not (np.isfinite(value) and value > 0):
                p.error(f"--{name.replace('_', '-')} must be a positive finite number, got {value}")
        if args.batch_size < 1:
            p.error(f"--batch-size must be at least 1, got {args.batch_size}")
        if args.train_size is not None and args.train_size < 1:
            p.error(f"--train-size must be at least 1, got {args.train_size}")
        if args.epochs < 0:
            p.error(f"--epochs must be 0 or more, got {args.epochs}")
        if not 0 <= args.seed < 2**63:
            p.error(f"--seed must be in 0..2**63-1, got {args.seed}")
        if args.data is not None and not os.path.isdir(args.data):
            p.error(f"--data {args.data}: " + ("is not a folder" if os.path.exists(args.data) else "does not exist"))
        if args.l2 is not None and not (np.isfinite(args.l2) and args.l2 >= 0):
            p.error(f"--l2 must be a finite number >= 0, got {args.l2}")
        if args.validation is not None and args.validation < 1:
            p.error(f"--validation must be at least 1 image, got {args.validation}")
        if args.early_stop is not None:
            if args.early_stop < 1:
                p.error(f"--early-stop must be at least 1 epoch, got {args.early_stop}")
            if args.validation is None:
                p.error("--early-stop needs --validation N: it watches the validation accuracy")
        if args.init_weights is not None and args.load is not None:
            p.error("--init-weights and --load both say where the weights come from: give one of them")
        return args

    return check


SCHEDULE = ("optimizer", "lr", "lr_decay")


def continue_schedule(args, optimizer, saved):
    """The optimizer and learning-rate schedule that continue a loaded run.

    The saved optimizer (its state too), its base rate, decay and the epoch it
    reached are kept unless the command line named one explicitly (``args.explicit``,
    see ``image_arguments``).  Sets ``args.optimizer``, ``args.lr``, ``args.lr_decay``
    and returns ``(optimizer, words for the banner)``.
    """
    from .optimizers import get_optimizer

    kept, changed = [], []
    saved_name = optimizer.name if optimizer is not None else None
    for name in SCHEDULE:
        value = saved.get(name, saved_name if name == "optimizer" else None)
        if name in args.explicit or value is None:
            if value is not None and value != getattr(args, name):
                changed.append(f"{name.replace('_', '-')} {getattr(args, name)} (saved: {value})")
        else:
            setattr(args, name, value)
            kept.append(f"{name.replace('_', '-')} {value}")
    if optimizer is None or args.optimizer != saved_name:
        optimizer = get_optimizer(args.optimizer, args.lr)  # a new optimizer: its state starts afresh
    words = "continuing the saved " + (", ".join(kept) if kept else "network")
    if changed:
        words += "; from the command line: " + ", ".join(changed)
    return optimizer, words


def check_loaded_dtype(args, network):
    """An explicit ``--dtype`` must be the loaded network's; otherwise it becomes the network's."""
    have = str(network.input.dtype)
    if "dtype" in args.explicit and args.dtype != have:
        raise ValueError(f"--dtype {args.dtype} contradicts the loaded network, which is {have}; "
                         f"leave --dtype out to continue it")
    args.dtype = have


def fail(message, code=2):
    """A user's mistake: one line on stderr, then exit with ``code`` (2, as argparse does)."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def _probe(folder, what):
    """Create ``folder`` and check that a file can be written in it; ValueError in one line otherwise."""
    import os
    import tempfile

    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ValueError(f"{what} {folder}: exists and is not a folder")
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".simnet-probe-"):
            pass
    except OSError as e:
        raise ValueError(f"{what} {folder}: cannot write there ({e.strerror or type(e).__name__})") from None


def check_destinations(args):
    """Create and probe for writing, before the first step, every folder the run writes into.

    ``args.save`` (a save folder: its parent is probed, since the save is written beside it and
    renamed in, and an existing folder must hold a save or nothing), ``args.plots`` (unless
    ``args.no_plots``) and ``args.results`` (a sweep's table: its folder).  A failure is one line
    on stderr and exit status 2 (``fail``).
    """
    import os

    from .saving import SAVE_FOLDER_FILES

    try:
        save = getattr(args, "save", None)
        plots = None if getattr(args, "no_plots", False) else getattr(args, "plots", None)
        results = getattr(args, "results", None)
        if save:
            target = os.path.abspath(save)
            _probe(os.path.dirname(target.rstrip(os.sep)) or ".", f"--save {save}: its folder")
            if os.path.lexists(target):
                if not os.path.isdir(target):
                    raise ValueError(f"--save {save}: exists and is not a folder")
                foreign = sorted(set(os.listdir(target)) - set(SAVE_FOLDER_FILES))
                if foreign:
                    raise ValueError(f"--save {save}: holds files that are not a save ({', '.join(foreign[:3])}"
                                     f"{'...' if len(foreign) > 3 else ''}); choose an empty or new folder")
            _probe(target, "--save")
            if plots and os.path.abspath(plots) == target:
                raise ValueError(f"--save and --plots both name {save}: a save folder holds the save only")
        if plots:
            _probe(plots, "--plots")
        if results:
            _probe(os.path.dirname(os.path.abspath(results)), f"--results {results}: its folder")
            if os.path.isdir(results):
                raise ValueError(f"--results {results}: is a folder; name the table's file (results.csv)")
    except ValueError as e:
        fail(str(e))


def memory_available():
    """Bytes of memory available now (``MemAvailable``), or None where it cannot be read."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(nbytes, what, hint, limit=None):
    """Refuse (``fail``, exit 2) up front what needs more memory than ``limit`` (default: what is available)."""
    words = "allowed" if limit is not None else "available"
    limit = memory_available() if limit is None else limit
    if limit is not None and nbytes > limit:
        fail(f"{what} needs about {nbytes / 2**30:,.1f} GiB, more than the {limit / 2**30:,.1f} GiB {words}; {hint}")


def dense_bytes(sizes, dtype, batch_size, state_copies=2):
    """Bytes a dense network of ``sizes`` needs to train: weights, their gradients and optimizer state
    (``state_copies``: Adam keeps 2), and a batch's neurons and deltas."""
    import numpy as np

    weights = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    neurons = sum(sizes) * min(batch_size, 60_000) * 3  # neurons, deltas, input sums (a batch is at most the data)
    return (weights * (2 + state_copies) + neurons) * np.dtype(dtype).itemsize


def record_all_bytes(sizes, capacity=1000, itemsize=8):
    """Bytes ``Network.record_all(capacity)`` keeps for a dense network of ``sizes``: every neuron and
    delta, every weight, ``capacity`` times."""
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return capacity * itemsize * (2 * sum(sizes) - sizes[0] + weights)


def batch_bytes(network, batch):
    """About the bytes one training batch of ``network`` needs beyond its weights: every layer's neurons,
    deltas, input sums and the buffers map layers keep (im2col, masks), counted as 8 copies."""
    return 8 * batch * sum(la.num_neurons for la in network.layers) * network.input.dtype.itemsize


HISTORY_LIMIT = 2**30
"""The most bytes a scenario's recorded histories may take before it refuses to start (1 GiB)."""


def save_run(args, network, optimizer, info):
    """Save a scenario's run to ``args.save`` and print where; a failure is one line and returns 2."""
    from .saving import save_network

    try:
        saved = save_network(args.save, network, optimizer, info)
    except (OSError, ValueError) as e:
        print(f"error: could not save the network to {args.save}: {e}", file=sys.stderr)
        return 2
    print(saved.describe())
    return 0


def apply_init_weights(network, path):
    """``--init-weights``: the weights and biases of the file ``path`` into ``network``, every array
    checked before any changes; a failure is one line and returns 2."""
    from .saving.init_weights import init_from_file

    try:
        init_from_file(network, path)
    except (OSError, ValueError) as e:
        print(f"error: --init-weights: {e}", file=sys.stderr)
        return 2
    return 0


def apply_l2(args, optimizer, n_train, first_epoch):
    """``--l2`` on ``optimizer`` (Nielsen's lambda over the ``n_train`` images trained on), then the
    run's learning-rate schedule checked with it before the first step.  Returns ``(0, words for
    the banner)`` ('' without L2), or ``(2, "")`` after a one-line error."""
    from .epochs import check_schedule

    if args.l2 is not None:
        try:
            optimizer.set_l2(args.l2, n_train)
        except ValueError as e:
            print(f"error: --l2: {e}", file=sys.stderr)
            return 2, ""
    try:  # with L2, every rate of the schedule must keep the weight decay a shrink
        check_schedule(optimizer, args.lr, args.lr_decay, first_epoch, args.epochs)
    except ValueError as e:
        print(f"error: --l2 with --lr {args.lr:g} --lr-decay {args.lr_decay:g}: {e}", file=sys.stderr)
        return 2, ""
    if not optimizer.l2:
        return 0, ""
    return 0, f", L2 {optimizer.l2:g} (weights x(1 - lr*{optimizer.l2:g}/{optimizer.n:,}) a step)"


def split_validation(args, title, x_train, y_train, x_test):
    """``--validation N``: Nielsen's split, the last N images of the training set validate and the test
    set tests once; prints the sizes either way.  Returns ``(x_train, y_train, x_val, y_val)`` (``x_val``
    and ``y_val`` None without the option), or None after a one-line error."""
    from .epochs import hold_out

    x_val = y_val = None
    if args.validation:
        try:
            x_train, y_train, x_val, y_val = hold_out(x_train, y_train, args.validation)
        except ValueError as e:
            print(f"error: --validation: {e}", file=sys.stderr)
            return None
        print(f"{title}: {len(x_train):,} training, {len(x_val):,} validation (the last of the training set) "
              f"and {len(x_test):,} test images")
    else:
        print(f"{title}: {len(x_train):,} training and {len(x_test):,} test images")
    return x_train, y_train, x_val, y_val


def default_history(network, batch_size):
    """The image scenarios' history: summaries every 6,400 samples (``record_summaries``), unless a loaded
    network goes on with the histories it brought.  Returns the bound on their memory in bytes."""
    if network.monitors():
        return network.history_bytes()
    return network.record_summaries(every=max(1, 6400 // batch_size))


def main(argv=None):
    p = argparse.ArgumentParser(prog="simnet", description="simnet: a neural-network simulator with explicit neurons")
    sub = p.add_subparsers(dest="command", required=True)
    plot = sub.add_parser("plot", help="draw every figure of a saved run again, from its saved files alone")
    plot.add_argument("history", metavar="RUN",
                      help="a run's folder (plots or --save folder) or its history.npz; a sweep's folder or "
                           "results.csv")
    plot.add_argument("--plots", help="folder for the figures (default: the run's folder)")
    plot.add_argument("--show", action="store_true", help="also open the figures in a window")
    view = sub.add_parser("view", help="write the explorer of a recorded run: one self-contained HTML file")
    view.add_argument("run", help="a run folder (holding history.npz) or a history.npz file")
    view.add_argument("--out", help="the HTML file to write (default: explorer.html beside the history)")
    view.add_argument("--no-open", action="store_true", help="only write the file and print its path")
    args = p.parse_args(argv)
    if args.command == "view":
        from .explorer.command import main as view_main

        return view_main(args)

    from .plots.redraw import redraw  # plotting is only imported to draw

    try:
        paths = redraw(args.history, args.plots, show=args.show)
    except (OSError, ValueError, TypeError, KeyError) as e:
        print(f"simnet plot: {e}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
