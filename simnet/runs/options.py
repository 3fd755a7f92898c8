"""The options the scenarios share, and how a loaded run's settings meet the command line's.

- ``hidden_sizes`` and ``hidden_grid``: the grammar of hidden layer sizes, one network (``4-2``, as the
  network 3-4-2-1 is written) and several (``2,4,4-2``, a sweep's grid).
- ``image_arguments``: the options of the image scenarios (data, schedule, saving, checks), added to a parser.
- ``continue_schedule``, ``check_loaded_dtype``: a run loaded with ``--load`` goes on with its own settings
  unless the command line names others.
"""
import argparse
import os

import numpy as np

from ..data import DATASETS
from ..optimizers import get_optimizer
from .usage import UsageError

def hidden_sizes(text):
    """An argparse type, one network's hidden layer sizes: ``"4"`` -> ``[4]``, ``"4-2"`` -> ``[4, 2]`` (4 then 2
    neurons, as the network 3-4-2-1 is written).  A comma lists several networks, which only a sweep runs."""
    if "," in text:
        raise argparse.ArgumentTypeError(f"{text!r} lists several networks (a comma separates networks in a sweep); "
                                         f"one network's hidden sizes are joined by '-', as in 4-2")
    try:
        sizes = [int(s) for s in text.split("-")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"hidden sizes are positive integers joined by '-', like 4 or 128-64; "
                                         f"got {text!r}") from None
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"hidden sizes must be positive, got {text!r}")
    return sizes


def hidden_grid(text):
    """Several networks' hidden sizes, for a sweep: ``"2,4,4-2"`` -> ``[(2,), (4,), (4, 2)]`` (each as
    ``hidden_sizes`` reads it; repeats dropped, order kept)."""
    try:
        return list(dict.fromkeys(tuple(hidden_sizes(part.strip())) for part in text.split(",")))
    except argparse.ArgumentTypeError as e:
        raise ValueError(str(e).replace("lists several networks (a comma separates networks in a sweep); ", "")) \
            from None


def format_sizes(sizes):
    """``[4, 2]`` -> ``'4-2'``: hidden sizes as ``hidden_sizes`` reads them."""
    return "-".join(str(int(s)) for s in sizes)


def image_arguments(p, dataset, defaults, plots):
    """The options the image scenarios share, added to the ArgumentParser ``p``; returns ``check(args)``,
    which fills in the defaults and raises ``UsageError`` for a value the run cannot use.

    ``defaults`` gives ``epochs``, ``batch_size``, ``lr``, ``lr_decay`` and ``optimizer``; ``plots`` the
    figures' folder, ``{dataset}`` standing for the data set's name (``plots/{dataset}_cnn``).
    """
    p.add_argument("--dataset", default=dataset, choices=sorted(DATASETS), help="data set")
    p.add_argument("--data", help="folder holding the IDX .gz files (searched first; see docs/data.md)")
    p.add_argument("--no-download", action="store_true", help="never download; use local files only")
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"],
                   help=f"(default: {defaults['optimizer']}; with --load: the saved run's)")
    p.add_argument("--lr", "--alpha", type=float, metavar="RATE", dest="lr",
                   help=f"the learning rate: the walk-through's alpha, --alpha and --lr are one option "
                        f"(default: {defaults['lr']}; with --load: the saved run's)")
    p.add_argument("--lr-decay", type=float, metavar="FACTOR",
                   help=f"learning rate factor per epoch (default: {defaults['lr_decay']}; with --load: the "
                        f"saved run's)")
    p.add_argument("--batch-size", type=int, default=defaults["batch_size"], help="samples per step")
    p.add_argument("--epochs", type=int, default=defaults["epochs"], help="passes over the training set")
    p.add_argument("--seed", type=int, default=0, help="seed of the network's generator (weights, shuffling)")
    p.add_argument("--dtype", choices=["float32", "float64"],
                   help="(default: float32; with --load: the saved network's)")
    p.add_argument("--train-size", type=int, metavar="N",
                   help="train on the first N training images (shuffled by --seed) instead of all of them; "
                        "offline MNIST: N of the test set's images train and the rest test (default: 8000)")
    p.add_argument("--plots", help=f"folder for the figures (default: {plots.format(dataset='<dataset>')})")
    p.add_argument("--no-plots", action="store_true", help="write no figures")
    p.add_argument("--save", help="folder to save the trained network and its history into")
    p.add_argument("--load", help="folder of a saved network: evaluate it (--epochs 0) or train it further")
    p.add_argument("--on-divergence", choices=["stop", "raise"], default="stop",
                   help="when the loss becomes NaN or infinite: stop and keep the history, or raise")
    p.add_argument("--l2", type=float, metavar="LAMBDA",
                   help="L2 weight decay in Nielsen's form: each step the weights (not the biases) shrink by "
                        "1 - lr*LAMBDA/n, n the number of training images (default: 0, none; with --load: the "
                        "saved run's)")
    p.add_argument("--validation", type=int, metavar="N",
                   help="hold out the last N training images: validate on them every epoch, test once at the end "
                        "(Nielsen: 10000 of MNIST's 60,000, leaving 50,000 to train on)")
    p.add_argument("--early-stop", type=int, metavar="K",
                   help="with --validation: stop after K epochs without a better validation accuracy and keep "
                        "the best epoch's weights")
    p.add_argument("--init-weights", metavar="FILE",
                   help="start from the weights and biases in FILE (.npz or .json, one array per connection "
                        "named '<source>-><target>' in row form, and '<layer>.bias'; see docs/scenarios.md)")

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
                _refuse(f"--{name.replace('_', '-')} must be a positive finite number, got {value}")
        if args.batch_size < 1:
            _refuse(f"--batch-size must be at least 1, got {args.batch_size}")
        if args.train_size is not None and args.train_size < 1:
            _refuse(f"--train-size must be at least 1, got {args.train_size}")
        if args.epochs < 0:
            _refuse(f"--epochs must be 0 or more, got {args.epochs}")
        if not 0 <= args.seed < 2**63:
            _refuse(f"--seed must be in 0..2**63-1, got {args.seed}")
        if args.data is not None and not os.path.isdir(args.data):
            _refuse(f"--data {args.data}: " + ("is not a folder" if os.path.exists(args.data) else "does not exist"))
        if args.l2 is not None and not (np.isfinite(args.l2) and args.l2 >= 0):
            _refuse(f"--l2 must be a finite number >= 0, got {args.l2}")
        if args.validation is not None and args.validation < 1:
            _refuse(f"--validation must be at least 1 image, got {args.validation}")
        if args.early_stop is not None:
            if args.early_stop < 1:
                _refuse(f"--early-stop must be at least 1 epoch, got {args.early_stop}")
            if args.validation is None:
                _refuse("--early-stop needs --validation N: it watches the validation accuracy")
        if args.init_weights is not None and args.load is not None:
            _refuse("--init-weights and --load both say where the weights come from: give one of them")
        args.plots = args.plots or plots.format(dataset=args.dataset.replace("-", "_"))
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
        raise UsageError(f"--dtype {args.dtype} contradicts the loaded network, which is {have}; "
                         f"leave --dtype out to continue it")
    args.dtype = have




def _refuse(message):
    raise UsageError(message)


def watch_arguments(p):
    """Add ``--pause-when`` and ``--break-when`` (each may be given several times) to the ArgumentParser ``p``."""
    from ..watch import GRAMMAR

    p.add_argument("--pause-when", action="append", default=[], metavar="COND",
                   help=f"with --live: pause the run at the step where COND becomes true and show what fired; "
                        f"COND is {GRAMMAR} (see docs/explorer.md)")
    p.add_argument("--break-when", action="append", default=[], metavar="COND",
                   help="open Python's debugger (breakpoint(), with the layers in scope by name) at the step where "
                        "COND becomes true; the same grammar as --pause-when")


def declare_watchpoints(args, network, window=1):
    """Declare ``--pause-when`` and ``--break-when`` on ``network`` (every condition checked before any is
    declared); a condition that cannot be read, or ``--pause-when`` without ``--live``, is a UsageError."""
    from ..watch import parse

    if args.pause_when and getattr(args, "live", None) is None:
        raise UsageError("--pause-when pauses the live explorer: add --live, or use --break-when to stop in the "
                         "debugger")
    for option, conditions in (("--pause-when", args.pause_when), ("--break-when", args.break_when)):
        for text in conditions:
            try:
                condition = parse(text, network)
            except ValueError as e:
                raise UsageError(f"{option}: {e}") from None
            if condition.kind == "health" and network.health is None:
                raise UsageError(f"{option} {text!r}: this run records no layer health")
    for action, conditions in (("pause", args.pause_when), ("break", args.break_when)):
        for text in conditions:
            (network.pause_when if action == "pause" else network.break_when)(text, window=window)
