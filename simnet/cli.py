"""``simnet`` command line: ``simnet plot HISTORY.npz [--plots DIR] [--show]`` redraws a saved run."""
import argparse
import os
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


def main(argv=None):
    p = argparse.ArgumentParser(prog="simnet", description="simnet: a neural-network simulator with explicit neurons")
    sub = p.add_subparsers(dest="command", required=True)
    plot = sub.add_parser("plot", help="draw the figures of a saved run again from its history .npz file")
    plot.add_argument("history", help="a history.npz written by a scenario or Network.save_history")
    plot.add_argument("--plots", help="folder for the figures (default: the history file's folder)")
    plot.add_argument("--show", action="store_true", help="also open the figures in a window")
    args = p.parse_args(argv)

    from .history import load_histories
    from .plotting import plot_run

    try:
        histories, info = load_histories(args.history)
    except (OSError, ValueError) as e:
        print(f"simnet plot: {e}", file=sys.stderr)
        return 2
    folder = args.plots or os.path.dirname(os.path.abspath(args.history))
    paths = plot_run(histories, info, folder, show=args.show)
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
