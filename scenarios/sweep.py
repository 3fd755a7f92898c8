"""Sweeps: how much does a result depend on the seed and the hyperparameters?

Runs a scenario for every combination of seeds, learning rates (alpha) and hidden
sizes, prints what converged and how fast, and writes a results table (CSV) and
figures beside it.  Examples:

    simnet run sweep streetlights --seeds 0-999
    simnet run sweep streetlights --seeds 0-999 --alpha 0.05,0.1,0.2,0.4 --hidden 2,4,8
    simnet run sweep streetlights --seeds 0,5,7,10-19 --hidden 4,4-2
    simnet run sweep streetlights --replot
    simnet run sweep streetlights --seeds 0-999 --scheduler tcp://10.0.0.5:8786

A comma lists the values a sweep tries: ``--hidden 2,4,8`` is three networks with one
hidden layer each, and ``4-2`` is one network with two hidden layers, 4 then 2 neurons,
as ``--hidden 4-2`` means in every scenario.  Seeds are ``0-999``, ``0,5,7`` or a mix.  An interrupted sweep resumes: run the same command
again and the runs already in the CSV are skipped.  Run with ``--help`` for options.
"""
import argparse
import os
import sys

import numpy as np

from simnet.runs import ArgumentParser, UsageError, entry_point
from simnet.runs.destinations import check_destinations
from simnet.runs.options import hidden_grid
from simnet.words import plural
from simnet.streetlights import convergence_summary, describe_run, format_summary
from simnet.sweeps.engine import MAX_RUNS
from simnet.sweeps import (TASKS, curves_path, format_hidden, get_task, load_curves, make_grid, parse_list,
                           parse_seeds, read_results, run_sweep)

DEFAULTS = {  # per scenario: seeds, alpha, hidden
    "streetlights": {"seeds": "0-99", "alpha": "0.2", "hidden": "4"},
    "mnist": {"seeds": "0-2", "alpha": "0.01,0.1", "hidden": "128"},
    "fashion_mnist": {"seeds": "0-2", "alpha": "0.01,0.1", "hidden": "128"},
}


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__.splitlines()[0], epilog="\n".join(__doc__.splitlines()[1:]))
    p.add_argument("scenario", nargs="?", default="streetlights", choices=sorted(TASKS),
                   help="the scenario to sweep (default: streetlights)")
    p.add_argument("--seeds", help="seeds: 0-999, 0,5,7 or a mix (default 0-99; image scenarios 0-2)")
    p.add_argument("--alpha", "--lr", dest="alpha", metavar="RATES",
                   help="learning rates (the walk-through's alpha; --alpha and --lr are one option), comma "
                        "separated (default: 0.2; image scenarios 0.01,0.1)")
    p.add_argument("--hidden", metavar="NETWORKS",
                   help="hidden sizes, a comma between networks, '-' between one network's layers: 2,4,8 is "
                        "three networks, 4,4-2 two (default: 4; image scenarios 128)")
    p.add_argument("--epsilon", type=float, help="streetlights: stop a run when its error is at most this (0.001)")
    p.add_argument("--max-iter", type=int, help="streetlights: at most this many iterations per run (1000)")
    p.add_argument("--epochs", type=int, help="image scenarios: epochs per run (1)")
    p.add_argument("--plots", help="folder for the figures and the table (default plots/sweep, "
                                   "plots/sweep_<scenario> for image scenarios)")
    p.add_argument("--results", help="the results table (default <plots>/results.csv); the error curves "
                                     "go beside it (results_curves.npz)")
    p.add_argument("--no-plots", action="store_true", help="write no figures")
    p.add_argument("--replot", action="store_true",
                   help="run nothing: report and draw the figures again from the results table")
    p.add_argument("--workers", type=int, help="local processes (default: all cores; 1: in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help='run on an existing Dask cluster, e.g. tcp://host:8786 (pip install "simnet[sweep]")')
    p.add_argument("--population", action=argparse.BooleanOptionalAction, default=None,
                   help="train the seeds of one setting together, weights stacked (default: on where the "
                        "scenario has it, as streetlights does); --no-population runs one Network per run")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)

    defaults = DEFAULTS.get(args.scenario, DEFAULTS["mnist"])
    args.seed_list = option("--seeds", args.seeds or defaults["seeds"], parse_seeds)
    args.alpha_list = option("--alpha", args.alpha or defaults["alpha"], parse_list)
    args.hidden_list = option("--hidden", args.hidden or defaults["hidden"], hidden_grid)
    if len(args.seed_list) * len(args.alpha_list) * len(args.hidden_list) > MAX_RUNS:
        raise UsageError(f"{len(args.seed_list):,} seeds x {len(args.alpha_list)} alpha x {len(args.hidden_list)} hidden is "
                f"more than the {MAX_RUNS:,} runs a sweep may have")
    if not all(np.isfinite(a) and a > 0 for a in args.alpha_list):
        raise UsageError(f"--alpha must be positive finite numbers, got {args.alpha}")
    if args.epsilon is not None and not (np.isfinite(args.epsilon) and args.epsilon >= 0):
        raise UsageError(f"--epsilon must be a finite number >= 0, got {args.epsilon}")
    for name in ("max_iter", "epochs", "workers"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    task = get_task(args.scenario)
    if args.population and task.population is None:
        raise UsageError(f"{args.scenario} has no population mode")
    args.plots = args.plots or os.path.join("plots", "sweep" if args.scenario == "streetlights"
                                            else f"sweep_{args.scenario}")
    args.results = args.results or os.path.join(args.plots, "results.csv")
    return args


def option(name, text, parse):
    """``parse(text)``, a ``UsageError`` naming the option ``name`` if it cannot."""
    try:
        return parse(text)
    except ValueError as e:
        raise UsageError(f"{name} {text}: {e}") from None


def grid_of(args):
    """The runs to do: every combination, the seed varying fastest."""
    if args.scenario == "streetlights":
        return make_grid(alpha=args.alpha_list, hidden=args.hidden_list,
                         epsilon=[0.001 if args.epsilon is None else args.epsilon],
                         max_iter=[args.max_iter or 1000], seed=args.seed_list)
    return make_grid(alpha=args.alpha_list, hidden=args.hidden_list, epochs=[args.epochs or 1], seed=args.seed_list)


def saved_rows(args, task):
    """For --replot: the table's rows, narrowed to the options given on the command line."""
    _, rows = read_results(args.results, task)
    given = {"seed": args.seeds and set(args.seed_list), "alpha": args.alpha and set(args.alpha_list),
             "hidden": args.hidden and set(args.hidden_list), "epsilon": args.epsilon is not None and {args.epsilon},
             "max_iter": args.max_iter and {args.max_iter}, "epochs": args.epochs and {args.epochs}}
    for name, values in given.items():
        if values and name in task.params:
            rows = [r for r in rows if r[name] in values]
    settings = {tuple(r[k] for k in ("epsilon", "max_iter", "epochs") if k in r) for r in rows}
    if len(settings) > 1:
        raise ValueError(f"{args.results} holds runs of {len(settings)} different settings of epsilon/max-iter/"
                         f"epochs; choose one with those options")
    return rows


@entry_point
def main(argv=None):
    args = parse_args(argv)
    task = get_task(args.scenario)
    check_destinations(args)  # --plots and the results table's folder created and probed before any run

    if args.replot:
        try:
            rows = saved_rows(args, task)
        except (OSError, ValueError) as e:
            raise UsageError(f"--replot: cannot replot {args.results}: {e}") from None
        try:
            curves = load_curves(curves_path(args.results))
        except ValueError as e:
            raise UsageError(f"--replot: cannot replot {args.results}: {e}") from None
        print(f"{plural(len(rows), 'run')} read from {args.results}")
    else:
        grid = grid_of(args)
        population = task.population is not None if args.population is None else args.population
        where = f"Dask cluster {args.scheduler}" if args.scheduler else \
            f"{plural(args.workers or os.cpu_count(), 'local process', 'local processes')}"
        how = "population mode: the seeds of a setting trained together" if population else \
            "one Network per run"
        print(f"{args.scenario}: {plural(len(grid), 'run')} ({plural(len(args.seed_list), 'seed')} x {len(args.alpha_list)} alpha x "
              f"{len(args.hidden_list)} hidden) on {where}, {how}")
        try:
            sweep = run_sweep(args.scenario, grid, args.results, workers=args.workers, scheduler=args.scheduler,
                              population=population, progress=not args.no_progress)
        except (NotImplementedError, ImportError, OSError, ValueError) as e:
            raise UsageError(str(e)) from None  # no dask, no scheduler there, a table or curves unread
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM (simnet.interrupt.Terminated)
            print(f"\ninterrupted: the finished runs are in {args.results}; run the same command again to resume",
                  file=sys.stderr)
            return getattr(e, "status", 130)
        print(f"ran {plural(sweep.ran, 'run')}, {sweep.skipped} already in {args.results}")
        rows, curves = sweep.rows, sweep.curves

    if not rows:
        print("no runs to report")
        return 0
    print()
    if len(rows) <= 30:
        varying = [k for k in task.params if k != "seed" and len({r[k] for r in rows}) > 1] or ["alpha", "hidden"]
        for r in rows:
            setting = "  ".join(f"{k} {format_hidden(r[k]) if k == 'hidden' else r[k]}" for k in varying)
            outcome = describe_run(r) if "converged" in r else \
                ", ".join(f"{k} {r[k]:.4f}" for k in task.results)
            print(f"seed {r['seed']:>4}  {setting}: {outcome}")
        print()
    else:
        print(f"per-run results: {args.results}")
    if "converged" in task.results:
        for line in format_summary(convergence_summary(rows)):
            print(line)

    if not args.no_plots:
        from simnet.plots.sweeps import plot_sweep  # plotting is only imported to draw

        paths = plot_sweep(task, rows, curves, args.plots)
        print(f"\nwrote {plural(len(paths), 'figure')} to {args.plots}/: {', '.join(os.path.basename(p) for p in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
