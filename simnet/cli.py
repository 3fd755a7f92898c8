"""The ``simnet`` command: ``simnet run SCENARIO [options]`` runs a scenario; ``simnet plot RUN`` draws
every figure of a saved run again; ``simnet view RUN`` writes its explorer page.  ``python -m simnet``
is the same command."""
import argparse
import sys
from collections.abc import Sequence

from .runs.registry import describe, run
from .interrupt import commands_interruptible
from .runs.usage import ArgumentParser, UsageError, interrupted, report


def parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="simnet", description="simnet: a neural-network simulator with explicit neurons",
                       epilog=f"scenarios (simnet run NAME --help lists a scenario's options):\n{describe()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="{run,plot,view,fork,diff}")
    sub.add_parser("run", help="run a scenario: simnet run SCENARIO [options]", add_help=False)
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
    view.add_argument("--diff", metavar="OTHER", help="also show where OTHER, a run of the same network, parts "
                                                      "from RUN (as simnet diff OTHER RUN)")
    fork = sub.add_parser("fork", help="continue a run from one of its recorded states into a new folder, "
                                       "with edits or without (then it repeats the original bit for bit)")
    fork.add_argument("run", metavar="RUN", help="the run's folder (holding states.npz and run.json)")
    fork.add_argument("--at", type=int, required=True, metavar="STEP", help="the recorded state after STEP steps")
    fork.add_argument("--edit", action="append", default=[], metavar="EDIT",
                      help="change a value first: LAYER.weights[I,J]=VALUE or LAYER.bias[I]=VALUE (repeatable)")
    fork.add_argument("--out", metavar="FOLDER", help="the new run's folder (default: RUN-fork-STEP)")
    diff = sub.add_parser("diff", help="where two runs of one network part: the first step any weight differs, "
                                       "the distance per connection over steps, the neurons that differ most")
    diff.add_argument("run_a", metavar="RUN_A", help="a run's folder")
    diff.add_argument("run_b", metavar="RUN_B", help="another run's folder (the same architecture)")
    diff.add_argument("--plot", metavar="FILE", help="the figure to write (default: diff.png in RUN_B)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the command itself (simnet, python -m simnet): SIGTERM and SIGHUP end it as Ctrl-C does
        commands_interruptible()
    try:
        return _main(argv)
    except KeyboardInterrupt as e:  # one line, 128 + the signal
        return interrupted(e)


def _main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["run"]:  # the scenario parses its own options
        return run(argv[1:])
    try:
        args = parser().parse_args(argv)
    except UsageError as e:
        return report(e)
    if args.command == "fork":
        from .runs.fork import main as fork_main

        try:
            return fork_main(args)
        except UsageError as e:
            return report(e)
    if args.command == "diff":
        return diff_main(args)
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


def diff_main(args):
    """``simnet diff RUN_A RUN_B``: the printout and the figure."""
    import os

    from .compare import diff_runs

    try:
        result = diff_runs(args.run_a, args.run_b)
    except (OSError, ValueError) as e:
        print(f"simnet diff: {e}", file=sys.stderr)
        return 2
    names = (os.path.basename(os.path.normpath(args.run_a)), os.path.basename(os.path.normpath(args.run_b)))
    print(result.describe(*names))
    from .plots.diff import plot_diff  # plotting is only imported to draw

    path = args.plot or os.path.join(args.run_b, "diff.png")
    plot_diff(result, path, names)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
