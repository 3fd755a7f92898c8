"""Figures of a sweep, drawn from its table rows (live or read back from the CSV).

- ``plot_iterations_histogram``: iterations to converge, one panel per grid cell,
  with the runs that did not converge as a bar apart, labelled "did not converge";
- ``plot_convergence_heatmap``: fraction of runs that converge, alpha x hidden;
- ``plot_error_curves``: every run's error per iteration, overlaid, with the median
  and the band holding 10-90% of the runs;
- ``plot_initial_weights``: the initial weights of runs side by side (a seed that
  converges against one that does not);
- ``plot_accuracy``: test accuracy per run, for image-scenario sweeps.

As in the walk-through figures, every function draws a new figure, saves it when given
a ``path`` and returns it; ``plot_sweep`` draws all of them into a folder.
"""
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import TwoSlopeNorm

from ..sweeps.registry import Task, format_hidden
from ..words import plural
from ..streetlights import cell_of, describe_run
from .common import WEIGHT_CMAP, finish, legend_outside, save_figure

CELL = ("alpha", "hidden")
CONVERGED_COLOUR = "tab:blue"
FAILED_COLOUR = "tab:red"


def _label(value):
    if isinstance(value, tuple):
        return format_hidden(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _hidden_order(value):
    return (len(value), value) if isinstance(value, tuple) else (0, value)


def grid_cells(rows, cell=CELL):
    """``(alphas, hiddens, {(alpha, hidden): rows})``: the grid's axes, sorted, and its rows per cell."""
    cells = {}
    for r in rows:
        cells.setdefault(cell_of(r, cell), []).append(r)
    xs = sorted({c[0] for c in cells})
    ys = sorted({c[1] for c in cells}, key=_hidden_order)
    return xs, ys, cells


def _panels(xs, ys, width=5.8, height=3.2):  # wide enough for a legend beside each panel
    fig, axes = plt.subplots(len(ys), len(xs), figsize=(width * len(xs) + 1, height * len(ys) + 1), squeeze=False)
    return fig, axes


def plot_iterations_histogram(rows, path=None, cell=CELL, bins=30):
    """Histogram of iterations to converge per grid cell; non-converged runs as one bar apart.

    In each panel, the blue bars count the converged runs per iteration bin; the
    red hatched bar right of them, labelled "did not converge", counts the others.
    """
    xs, ys, cells = grid_cells(rows, cell)
    fig, axes = _panels(xs, ys)
    for row, hidden in enumerate(ys):
        for col, alpha in enumerate(xs):
            ax = axes[row, col]
            rs = cells.get((alpha, hidden), [])
            its = [r["iterations"] for r in rs if r["converged"]]
            failed = len(rs) - len(its)
            top = max(its, default=1)  # bins of whole iterations, up to this panel's slowest run
            width = max(1, math.ceil(top / bins))
            edges = np.arange(0, top + width + 1, width)
            edges = edges[: np.searchsorted(edges, top, side="right") + 1]
            apart = edges[-1] + 2 * width  # where the "did not converge" bar stands
            counts, _ = np.histogram(its, edges)
            ax.bar(edges[:-1], counts, width=width, align="edge", color=CONVERGED_COLOUR, edgecolor="white",
                   label=f"converged ({len(its)})")
            ax.bar([apart], [failed], width=2 * width, color=FAILED_COLOUR, hatch="//", edgecolor="black",
                   label=f"did not converge ({failed})")
            if its:
                ax.axvline(np.median(its), color="black", ls="--", lw=1, label=f"median {np.median(its):g}")
            # whole-number ticks, none so close to the "did not converge" bar that their labels collide
            ticks = [t for t in ax.get_xticks() if 0 <= t <= edges[-1] and apart - t >= 0.18 * apart]
            ax.set_xticks(ticks + [apart], [f"{t:g}" for t in ticks] + ["did not\nconverge"])
            ax.set_xlim(0, apart + 2 * width)
            rate = len(its) / len(rs) if rs else math.nan
            ax.set_title(f"alpha {_label(alpha)}, hidden {_label(hidden)}: {rate:.0%} converge", fontsize=9)
            ax.set_xlabel("iterations to converge")
            ax.set_ylabel("runs")
            legend_outside(ax)
            ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"iterations to converge ({plural(len(rows), 'run')})")
    fig.tight_layout()
    return save_figure(fig, path)


def convergence_matrix(rows, cell=CELL):
    """``(alphas, hiddens, rate, runs)``: rate[i, j] is the fraction converged at hidden i, alpha j."""
    xs, ys, cells = grid_cells(rows, cell)
    rate = np.full((len(ys), len(xs)), np.nan)
    runs = np.zeros((len(ys), len(xs)), dtype=int)
    for (alpha, hidden), rs in cells.items():
        i, j = ys.index(hidden), xs.index(alpha)
        runs[i, j] = len(rs)
        rate[i, j] = sum(r["converged"] for r in rs) / len(rs)
    return xs, ys, rate, runs


def plot_convergence_heatmap(rows, path=None, cell=CELL):
    """Fraction of runs that converge, per grid cell: alpha across, hidden sizes down."""
    xs, ys, rate, runs = convergence_matrix(rows, cell)
    _, _, cells = grid_cells(rows, cell)
    fig, ax = plt.subplots(figsize=(1.6 * len(xs) + 3, 1.1 * len(ys) + 2))
    im = ax.imshow(rate, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    for i, hidden in enumerate(ys):
        for j, alpha in enumerate(xs):
            if not runs[i, j]:
                continue
            its = [r["iterations"] for r in cells[(alpha, hidden)] if r["converged"]]
            med = f"\nmedian {np.median(its):g} it." if its else ""
            ax.text(j, i, f"{rate[i, j]:.0%}\n{int(round(rate[i, j] * runs[i, j]))}/{runs[i, j]}{med}",
                    ha="center", va="center", fontsize=8, color="white" if rate[i, j] < 0.6 else "black")
    ax.set_xticks(range(len(xs)), [_label(x) for x in xs])
    ax.set_yticks(range(len(ys)), [_label(y) for y in ys])
    ax.set_xlabel(cell[0])
    ax.set_ylabel(f"{cell[1]} (sizes)")
    ax.set_title(f"convergence rate ({plural(len(rows), 'run')})")
    fig.colorbar(im, ax=ax, label="fraction of runs that converge")
    return save_figure(fig, path)


def curves_on_grid(curves, length):
    """Curves ``(steps, errors)`` on iterations ``0..length-1``: interpolated between kept steps,
    holding the last error after a run stopped.  Returns ``(runs, length)``, NaN where not finite."""
    grid = np.arange(length)
    out = np.full((len(curves), length), np.nan)
    for k, (steps, errors) in enumerate(curves):
        steps = np.asarray(steps, dtype=float)
        errors = np.asarray(errors, dtype=float)
        ok = np.isfinite(errors)
        if ok.sum() == 0:
            continue
        out[k] = np.interp(grid, steps[ok], errors[ok])
        out[k, grid > steps[-1]] = errors[-1]  # stopped: its error stays where it ended
        if not ok.all():  # a run that diverged: NaN from where it went non-finite
            out[k, grid >= steps[np.argmin(ok)]] = np.nan
    return out


def plot_error_curves(rows, curves, path=None, cell=CELL, epsilon=None):
    """Every run's mean error per iteration, overlaid, per grid cell: median and 10-90% band.

    ``curves`` is a list parallel to ``rows``: each run's ``(steps, errors)``, or None
    where a run has no stored curve.  A run that stopped (converged) keeps its last
    error for the median and band, so they describe all runs at every iteration.
    """
    if isinstance(curves, dict):
        raise TypeError("pass curves as a list parallel to rows (None where a run has no curve)")
    xs, ys, _ = grid_cells(rows, cell)
    by_cell = {}
    for r, c in zip(rows, curves):
        by_cell.setdefault(cell_of(r, cell), []).append(c)
    fig, axes = _panels(xs, ys, width=6.2)
    for row, hidden in enumerate(ys):
        for col, alpha in enumerate(xs):
            ax = axes[row, col]
            cs = [c for c in by_cell.get((alpha, hidden), []) if c is not None and len(c[0])]
            missing = len(by_cell.get((alpha, hidden), [])) - len(cs)
            ax.set_title(f"alpha {_label(alpha)}, hidden {_label(hidden)}", fontsize=9)
            if not cs:
                ax.text(0.5, 0.5, "no curves stored", ha="center", va="center", transform=ax.transAxes)
                continue
            length = int(max(c[0][-1] for c in cs)) + 1
            segments = []
            for steps, errors in cs:
                ok = np.isfinite(errors) & (np.asarray(errors) > 0)
                segments.append(np.column_stack([np.asarray(steps)[ok], np.asarray(errors)[ok]]))
            ax.add_collection(LineCollection(segments, colors="0.55", linewidths=0.6, alpha=0.25,
                                             label=f"each run ({len(cs)})"))
            on_grid = curves_on_grid(cs, length)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (every run diverged)
                low, med, high = np.nanpercentile(on_grid, [10, 50, 90], axis=0)
            t = np.arange(length)
            ax.fill_between(t, low, high, color="tab:orange", alpha=0.35, label="10-90% of runs")
            ax.plot(t, med, color="black", lw=2, label="median")
            if epsilon is not None:
                ax.axhline(epsilon, color=FAILED_COLOUR, ls="--", lw=1, label=f"epsilon {epsilon:g}")
            ax.set_xlim(0, length - 1 if length > 1 else 1)
            finite = on_grid[np.isfinite(on_grid) & (on_grid > 0)]
            if finite.size:
                ax.set_yscale("log")
                ax.set_ylim(finite.min() / 2, finite.max() * 2)
            else:
                ax.text(0.5, 0.5, "no finite error: every run diverged", ha="center", va="center",
                        transform=ax.transAxes)
            ax.set_xlabel("iteration" + (f"  ({plural(missing, 'run')} without a stored curve)" if missing else ""))
            ax.set_ylabel("mean error")
            ax.grid(alpha=0.3)
            legend_outside(ax)
    fig.suptitle("error per iteration, all runs (a run that stopped keeps its last error)")
    fig.tight_layout()
    return save_figure(fig, path)


def plot_initial_weights(runs, path=None):
    """Initial weights of runs side by side, one heatmap per connection.

    ``runs`` is a list of ``(title, connections)``, a connection being
    ``(source, target, weights)`` or ``(source, target, weights, target_notes)``
    where ``target_notes`` are short texts shown under the target neurons (e.g.
    on how many samples a hidden neuron fires at the start).  One diverging colour
    scale, shared by every panel: blue negative, red positive.
    """
    n_conn = max(len(c) for _, c in runs)
    wmax = max(float(np.abs(conn[2]).max()) for _, cs in runs for conn in cs) or 1.0
    norm = TwoSlopeNorm(vmin=-wmax, vcenter=0.0, vmax=wmax)
    widths = [max([cs[k][2].shape[1] for _, cs in runs if k < len(cs)]) + 1.5 for k in range(n_conn)]
    fig = plt.figure(figsize=(1.1 * sum(widths) + 2.5, 3.6 * len(runs) + 0.6), layout="constrained")
    fig.suptitle("initial weights")
    for sub, (title, connections) in zip(np.atleast_1d(fig.subfigures(len(runs), 1)), runs):
        sub.suptitle(title, fontsize=10)
        axes = sub.subplots(1, n_conn, squeeze=False, width_ratios=widths)[0]
        image = None
        for k, ax in enumerate(axes):
            if k >= len(connections):
                ax.axis("off")
                continue
            source, target, w = connections[k][:3]
            notes = connections[k][3] if len(connections[k]) > 3 else None
            image = ax.imshow(w, cmap=WEIGHT_CMAP, norm=norm, aspect="auto")
            for i in range(w.shape[0]):
                for j in range(w.shape[1]):
                    ax.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center", fontsize=8)
            ax.set_yticks(range(w.shape[0]), [f"{source}[{i}]" for i in range(w.shape[0])], fontsize=8)
            xt = [f"{target}[{j}]" + (f"\n{notes[j]}" if notes else "") for j in range(w.shape[1])]
            ax.set_xticks(range(w.shape[1]), xt, fontsize=7)
            ax.set_title(f"{source} to {target} weight", fontsize=9)
        sub.colorbar(image, ax=axes, label="initial weight", shrink=0.9)
    return save_figure(fig, path)


def plot_accuracy(rows, path=None, cell=CELL):
    """Test accuracy of every run (a dot per seed) against alpha, one colour per hidden size."""
    xs, ys, cells = grid_cells(rows, cell)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, hidden in enumerate(ys):
        for j, alpha in enumerate(xs):
            acc = [r["accuracy"] for r in cells.get((alpha, hidden), [])]
            offset = (i - (len(ys) - 1) / 2) * 0.15
            ax.plot(np.full(len(acc), j + offset), acc, "o", color=plt.get_cmap("tab10")(i % 10), ms=5,
                    label=f"hidden {_label(hidden)}" if j == 0 else None)
            if acc:
                ax.plot([j + offset - 0.06, j + offset + 0.06], [np.median(acc)] * 2, color="black", lw=2)
    ax.set_xticks(range(len(xs)), [_label(x) for x in xs])
    ax.set_xlabel(cell[0])
    ax.set_ylabel("test accuracy")
    ax.set_title(f"test accuracy per run ({plural(len(rows), 'run')}; bar: median)")
    ax.grid(alpha=0.3)
    legend_outside(ax, fontsize="small")
    return save_figure(fig, path)


def example_runs(rows, reference=(0.2, (4,)), cell=CELL):
    """A converging and a non-converging run to compare: the lowest seeds of each in the
    ``reference`` cell if it has both, else in the first cell that has both (None where none)."""
    _, _, cells = grid_cells(rows, cell)
    order = ([reference] if reference in cells else []) + [c for c in cells if c != reference]
    for c in order:
        rs = sorted(cells[c], key=lambda r: r["seed"])
        good = next((r for r in rs if r["converged"]), None)
        bad = next((r for r in rs if not r["converged"]), None)
        if good and bad:
            return good, bad
    rs = sorted(rows, key=lambda r: r["seed"])
    return next((r for r in rs if r["converged"]), None), next((r for r in rs if not r["converged"]), None)


def plot_sweep(task: Task, rows: Sequence[Mapping[str, Any]], curves: Mapping[Any, Any], folder: str,
               show: bool = False) -> list[str]:
    """Draw every figure of a sweep into ``folder``; ``curves`` maps run keys to ``(steps, errors)``.

    Returns the paths written: ``iterations.png``, ``convergence.png``,
    ``error_curves.png`` and ``initial_weights.png`` for sweeps of converging
    scenarios (streetlights), ``accuracy.png`` for image scenarios.
    """
    os.makedirs(folder, exist_ok=True)
    paths, figs = [], []

    def out(name):
        paths.append(os.path.join(folder, name))
        return paths[-1]

    if "converged" in task.results:
        figs.append(plot_iterations_histogram(rows, out("iterations.png")))
        figs.append(plot_convergence_heatmap(rows, out("convergence.png")))
        eps = {r.get("epsilon") for r in rows}
        figs.append(plot_error_curves(rows, [curves.get(task.key(r)) for r in rows], out("error_curves.png"),
                                      epsilon=eps.pop() if len(eps) == 1 else None))
        if task.initial_weights is not None:
            chosen = [r for r in example_runs(rows) if r is not None]
            if chosen:
                runs = [(f"seed {r['seed']} (alpha {_label(r['alpha'])}, hidden {_label(r['hidden'])}): "
                         f"{describe_run(r)}", task.initial_weights(r)) for r in chosen]
                figs.append(plot_initial_weights(runs, out("initial_weights.png")))
    if "accuracy" in task.results:
        figs.append(plot_accuracy(rows, out("accuracy.png")))
    finish(figs, show)
    return paths
