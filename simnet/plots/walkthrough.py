"""The walk-through's figures: error per iteration, every weight's history, every neuron's history.

Every function takes plain arrays (what a ``History`` holds, live or loaded from an ``.npz``
file), draws on a new matplotlib figure, saves it when given a ``path`` and returns the figure,
so a figure can be inspected in a test or shown on screen.

Small connections (at most ``SMALL_CONNECTION`` sources and targets) are drawn exactly the
walk-through's way: every weight, colour by source neuron, line width by target neuron.  Large
ones draw a named subset (the weights that changed most between the first and last snapshot)
in distinct colours and bounded widths, above a view of the whole connection over time
(percentile bands of its recorded summaries, or a time x weight raster of its snapshots).
"""
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import MaxNLocator

from ..history import STAT_NAMES
from .common import (LINE_WIDTH, MARKERS, MAX_LINES, SMALL_CONNECTION, changed_most, distinct_colours,
                     fmt, legend_outside, save_figure, source_colour, target_width, time_axis)


def plot_errors(steps, per_sample, average, path=None, labels=None, xlabel="iteration", note=None):
    """Error per iteration: one line per sample plus the average (thicker, black).

    With no finite error recorded (a run that diverged in its first iteration) the figure
    says so (``note`` tells why) instead of being left out.
    """
    per_sample = np.asarray(per_sample, dtype=float)
    fig, ax = plt.subplots(figsize=(8.5, 5))
    n = per_sample.shape[1] if per_sample.ndim == 2 else 0
    colours = distinct_colours(n)
    for k in range(n):
        label = labels[k] if labels is not None else f"sample {k}"
        ax.plot(steps, per_sample[:, k], lw=1.2, color=colours[k], label=label)
    if len(steps):
        ax.plot(steps, average, color="black", lw=2.5, label="average", zorder=1)
        legend_outside(ax, fontsize="small")
    if note or not len(steps):
        text = "\n".join(textwrap.fill(line, 70) for line in (note or "no error recorded").splitlines())
        ax.text(0.5, 0.5 if not len(steps) else 0.9, text, ha="center", va="center", transform=ax.transAxes,
                fontsize=9, color="darkred", bbox={"fc": "white", "ec": "darkred", "alpha": 0.9})
    if not len(steps):
        ax.set_xticks([])
        ax.set_yticks([])
    if len(steps):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("error (sum of squared deltas)")
    ax.set_title("error per iteration")
    ax.grid(alpha=0.3)
    return save_figure(fig, path)


def _percentile_bands(ax, stats, unit, period, what):
    """The recorded summaries of a whole variable as bands: 5-95%, 25-75%, median, min and max."""
    i = {name: k for k, name in enumerate(STAT_NAMES)}
    x, xlabel = time_axis(stats.steps, unit, getattr(stats, "period", 1))
    v = stats.values
    ax.fill_between(x, v[:, i["p5"]], v[:, i["p95"]], color="C0", alpha=0.2, lw=0, label="5-95%")
    ax.fill_between(x, v[:, i["p25"]], v[:, i["p75"]], color="C0", alpha=0.45, lw=0, label="25-75%")
    ax.plot(x, v[:, i["p50"]], color="C0", lw=1.5, label="median")
    ax.plot(x, v[:, i["min"]], color="0.4", lw=0.8, ls=":", label="min, max")
    ax.plot(x, v[:, i["max"]], color="0.4", lw=0.8, ls=":")
    ax.set_title(f"{what}: percentiles over time (recorded summaries)", fontsize=9)
    ax.set_xlabel(xlabel)
    legend_outside(ax)
    return ax


def _raster(fig, ax, x, values, what, xlabel):
    """Time x weight: how many weights of the connection lie in each value bin, per snapshot."""
    flat = np.asarray(values, dtype=float).reshape(len(values), -1)
    ok = flat[np.isfinite(flat)]
    lo, hi = (float(ok.min()), float(ok.max())) if ok.size else (-1.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    edges = np.linspace(lo, hi, 61)
    counts = np.array([np.histogram(row[np.isfinite(row)], edges)[0] for row in flat]).T.astype(float)
    counts[counts == 0] = np.nan
    xs = np.asarray(x, dtype=float)
    xe = np.concatenate([[xs[0]], (xs[1:] + xs[:-1]) / 2, [xs[-1]]]) if len(xs) > 1 else np.array([xs[0] - .5,
                                                                                                    xs[0] + .5])
    mesh = ax.pcolormesh(xe, edges, counts, cmap="viridis", norm=LogNorm(vmin=1, vmax=max(2, np.nanmax(counts))),
                         shading="flat")
    fig.colorbar(mesh, ax=ax, label="weights in the bin", pad=0.01)
    ax.set_title(f"{what}: every weight, time x value (from {len(flat)} full snapshots)", fontsize=9)
    ax.set_xlabel(xlabel)


def plot_weights(steps, values, source, target, select=None, path=None, max_lines=MAX_LINES, stats=None,
                 unit="step", period=1):
    """History of the weights of one connection, ``source`` to ``target``.

    ``values`` is ``(T, n_source, n_target)`` (full snapshots), or ``(T, k)`` with ``select``
    the ``k`` recorded ``(i, j)`` pairs.  A small connection is drawn the walk-through's way:
    every weight, colour by source neuron, line width by target neuron, legend ``weight
    <source>:<target>[i:j]``.  A large one draws the ``max_lines`` weights that changed most
    from the first to the last snapshot, in distinct colours and bounded widths, above the
    whole connection over time: percentile bands from ``stats`` (its ``weights_stats``
    history) or, without it, a time x weight raster of the full snapshots.  ``unit`` says what
    a step is (``'sample'``, ``'batch'``); ``period`` > 1 draws a per-sample run per iteration.
    """
    values = np.asarray(values, dtype=float)
    x, xlabel = time_axis(steps, unit, period)
    title = f"{source} to {target} weight"
    markers = "o" if len(values) <= 30 else None
    if select is None and values.shape[1] <= SMALL_CONNECTION[0] and values.shape[2] <= SMALL_CONNECTION[1]:
        fig, ax = plt.subplots(figsize=(9.5, 5.5))
        n_s, n_t = values.shape[1:]
        for i in range(n_s):
            for j in range(n_t):
                ax.plot(x, values[:, i, j], color=source_colour(i), lw=target_width(j), marker=markers, ms=3,
                        label=f"weight {source}:{target}[{i}:{j}]")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("weight")
        ax.grid(alpha=0.3)
        legend_outside(ax, ncol=1 if n_s * n_t <= 24 else 2)
        fig.tight_layout()
        return save_figure(fig, path)

    if select is None:  # a large connection in full: the weights that changed most
        n_s, n_t = values.shape[1:]
        pairs, changed = changed_most(values[0], values[-1], max_lines)
        series = np.stack([values[:, i, j] for i, j in pairs], axis=1)
        total = n_s * n_t
        what = (f"the {len(pairs)} of {total:,} that changed most from the first to the last snapshot" if changed
                else f"nothing changed from the first to the last snapshot: the {len(pairs)} largest of {total:,}")
    else:  # a recorded subset: those of it that changed most
        recorded = [tuple(int(v) for v in p) for p in select]
        ks, changed = changed_most(values[0], values[-1], max_lines)
        ks = [k[0] for k in ks]
        pairs = [recorded[k] for k in ks]
        series = values[:, ks]
        total = None
        what = (f"{len(pairs)} of the {len(recorded)} weights recorded in full (picked when recording began)"
                + ("" if changed else "; none changed"))
    whole = stats is not None and len(stats) or (select is None and len(values) >= 2)
    fig, axes = plt.subplots(2 if whole else 1, 1, figsize=(10, 8.5 if whole else 5.5), squeeze=False,
                             layout="constrained")
    ax = axes[0, 0]
    colours = distinct_colours(len(pairs))
    width = float(np.mean(LINE_WIDTH))
    for k, (i, j) in enumerate(pairs):
        ax.plot(x, series[:, k], color=colours[k], lw=width, marker=markers, ms=3,
                label=f"weight {source}:{target}[{i}:{j}]")
    ax.set_title(f"{title}: {what}", fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("weight")
    ax.grid(alpha=0.3)
    legend_outside(ax)
    fig.pairs = pairs  # what was drawn, for whoever inspects the figure
    if whole:
        conn = f"all {total:,} {source}\u2192{target} weights" if total else f"all {source}\u2192{target} weights"
        if stats is not None and len(stats):
            _percentile_bands(axes[1, 0], stats, unit, period, conn)
        else:
            _raster(fig, axes[1, 0], x, values, conn, xlabel)
        axes[1, 0].set_ylabel("weight")
        axes[1, 0].grid(alpha=0.3)
    return save_figure(fig, path)


def plot_neurons(steps, values, name, path=None, select=None, period=1, sample_labels=None, unit="step",
                 note=None, size=None):
    """History of every neuron of one layer, as dots.

    In a per-sample run (``period`` samples per iteration, ``sample_labels`` naming them) every
    neuron gets its own panel and every sample its own colour and hollow marker, drawn at its
    place within the iteration, so no sample hides another.  Otherwise all neurons share one
    axes, a colour each (``note`` says e.g. that a value is the mean over a batch).
    """
    values = np.asarray(values, dtype=float)
    idx = list(range(values.shape[1])) if select is None else [int(i) for i in select]
    x, xlabel = time_axis(steps, unit, period)
    total = "" if select is None else f" ({len(idx)} of {size:,} neurons, picked at random when recording began)" \
        if size else f" ({len(idx)} recorded neurons)"
    if period > 1:
        samples = np.asarray(steps) % period
        labels = list(sample_labels) if sample_labels is not None else [f"sample {k}" for k in range(period)]
        colours = distinct_colours(period)
        if period <= 8 and len(idx) <= 8:
            # small multiples: a row per sample, a column per neuron; nothing drawn over anything else
            fig, axes = plt.subplots(period, len(idx), figsize=(max(2.6 * len(idx) + 2.6, 8), 1.15 * period + 1.5),
                                     squeeze=False, sharex=True, sharey=True, layout="constrained")
            for s in range(period):
                m = samples == s
                for k, i in enumerate(idx):
                    ax = axes[s, k]
                    ax.plot(x[m], values[m, k], ls="none", marker=MARKERS[s % len(MARKERS)], ms=3, mfc="none",
                            mew=0.8, color=colours[s], label=labels[s])
                    ax.grid(alpha=0.3)
                    if s == 0:
                        ax.set_title(f"{name}[{i}]", fontsize=9)
                axes[s, 0].set_ylabel(labels[s].replace("lights ", ""), fontsize=8, color=colours[s])
            fig.supxlabel(xlabel, fontsize=9)
            fig.legend([axes[s, 0].lines[0] for s in range(period)], labels, loc="outside right upper",
                       title="input (sample)", fontsize="small")
            fig.suptitle(f"{name} neuron history{total}: a row per sample, a column per neuron", fontsize=10)
            return save_figure(fig, path)
        # many samples or neurons: a panel per neuron, the samples in lanes a little apart
        cols = min(len(idx), 4)
        rows = -(-len(idx) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols + 2.2, 2.4 * rows + 1.2), squeeze=False,
                                 sharex=True, layout="constrained")
        finite = values[np.isfinite(values)]
        span = float(finite.max() - finite.min()) if finite.size else 0.0
        span = span or max(float(np.abs(finite).max()) if finite.size else 0.0, 1.0)
        lane = 0.025 * span  # samples drawn in lanes this far apart, so equal values do not hide each other
        for k, i in enumerate(idx):
            ax = axes.flat[k]
            for s in range(period):
                m = samples == s
                ax.plot(x[m], values[m, k] + (s - (period - 1) / 2) * lane, ls="none",
                        marker=MARKERS[s % len(MARKERS)], ms=4, mfc="none", mew=1.0, color=colours[s], alpha=0.85,
                        label=labels[s])
            ax.set_title(f"{name}[{i}]", fontsize=9)
            ax.grid(alpha=0.3)
        for ax in axes.flat[len(idx):]:
            ax.axis("off")
        fig.supxlabel(xlabel, fontsize=9)
        handles, hl = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, hl, loc="outside right upper", title="input (sample)", fontsize="small")
        fig.suptitle(f"{name} neuron history{total}: each sample in its own colour and marker,\ndrawn "
                     f"{fmt(lane)} apart (lanes) so equal values stay visible", fontsize=10)
        fig.lane = lane
        return save_figure(fig, path)
    fig, ax = plt.subplots(figsize=(9, 5))
    colours = distinct_colours(len(idx))
    gaps = np.diff(np.asarray(x, dtype=float))
    spread = 0.5 * float(np.median(gaps)) if len(idx) > 1 and gaps.size and np.median(gaps) > 0 else 0.0
    for k, i in enumerate(idx):
        dx = (k / (len(idx) - 1) - 0.5) * spread if spread else 0.0  # side by side, so equal values stay visible
        ax.plot(x + dx, values[:, k], ".", ms=4, alpha=0.8, color=colours[k], label=f"{name}[{i}]")
    ax.set_title(f"{name} neuron history{total}" + (f"\n{note}" if note else ""), fontsize=10)
    ax.set_xlabel(xlabel + ("\n(the neurons of one step drawn side by side, in legend order)" if spread else ""))
    ax.set_ylabel("value")
    ax.grid(alpha=0.3)
    if len(idx) <= 24:
        legend_outside(ax)
    fig.tight_layout()
    return save_figure(fig, path)
