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
    p.add_argument("--train-size", type=int, default=8000,
                   help="offline MNIST only: test-set images used for training (8000; the rest test)")
    p.add_argument("--plots", help="folder for the figures (default plots/<dataset>)")
    p.add_argument("--no-plots", action="store_true", help="write no figures")
    p.add_argument("--save", help="folder to save the trained network and its history into")
    p.add_argument("--load", help="folder of a saved network: evaluate it (--epochs 0) or train it further")
    p.add_argument("--on-divergence", choices=["stop", "raise"], default="stop",
                   help="when the loss becomes NaN or infinite: stop and keep the history (default), or raise")

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
        if args.train_size < 1:
            p.error(f"--train-size must be at least 1, got {args.train_size}")
        if args.epochs < 0:
            p.error(f"--epochs must be 0 or more, got {args.epochs}")
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
    except (OSError, ValueError) as e:
        print(f"simnet plot: {e}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
