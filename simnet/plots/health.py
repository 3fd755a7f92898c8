"""The layer-health figure: one row of panels per layer over the run (``health.png``).

Drawn from the ``health/<layer>`` histories that ``Network.record_health`` keeps (see
``simnet.health``): per layer, the fractions of dead and saturated neurons, the mean and spread
of its activations, the gradient norm of the weights into it and the update-to-weight ratio.
"""
import matplotlib.pyplot as plt
import numpy as np

from .common import save_figure

HEALTHY_RATIO = 1e-3  # the usual order of an update-to-weight ratio (a reference line, not a rule)


def health_histories(histories):
    """``[(layer, History)]`` of the health histories in ``histories``, in the order they were recorded."""
    return [(h.about.get("health_of", key.split("/", 1)[1]), h) for key, h in histories.items()
            if key.startswith("health/") and len(h)]


def _log_panel(ax, x, y, label, colour):
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y) & (y > 0)
    if ok.any():
        ax.plot(x[ok], y[ok], color=colour, lw=1.3)
        ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "no weights feed this layer" if not np.isfinite(y).any() else "0 throughout",
                ha="center", va="center", transform=ax.transAxes, fontsize=8, color="#666")
        ax.set_yticks([])
    ax.set_ylabel(label, fontsize=8)


def plot_health(histories, path=None, unit="step", title=None):
    """The health figure of the ``health/<layer>`` histories in ``histories``; returns it (None if there are none).

    Columns: dead and saturated fractions (0..1, one scale for every layer), activation mean with a band of
    plus and minus one standard deviation, gradient norm (log scale), update-to-weight ratio (log scale,
    with a dotted line at 1e-3 for reference).  The x axis is steps done (``unit``: samples or batches).
    """
    rows = health_histories(histories)
    if not rows:
        return None
    fig, axes = plt.subplots(len(rows), 4, figsize=(13, 2.3 * len(rows) + 0.9), squeeze=False, sharex=True)
    words = {"sample": "samples done", "batch": "batches done"}.get(unit, "steps done")
    for r, (layer, h) in enumerate(rows):
        x = np.asarray(h.steps, dtype=float)
        v = np.asarray(h.values, dtype=float)
        names = h.about.get("health", ["dead", "saturated", "mean", "std", "grad_norm", "update_ratio"])
        col = {n: v[:, k] for k, n in enumerate(names)}
        act = h.about.get("activation", "")
        ax = axes[r, 0]
        shown = False
        for name, colour in (("dead", "#b71c1c"), ("saturated", "#e65100")):
            y = col[name]
            if np.isfinite(y).any():
                ax.plot(x, y, color=colour, lw=1.5, label=f"{name} fraction")
                shown = True
        if shown:
            ax.legend(fontsize=7, loc="upper left")
        else:
            ax.text(0.5, 0.5, f"{act}: neither dies nor saturates", ha="center", va="center",
                    transform=ax.transAxes, fontsize=8, color="#666")
        ax.set_ylim(-0.03, 1.03)
        ax.set_ylabel(f"{layer} ({act})\nfraction of neurons", fontsize=8)
        ax = axes[r, 1]
        mean, std = col["mean"], col["std"]
        ax.plot(x, mean, color="#1565c0", lw=1.3, label="mean")
        ax.fill_between(x, mean - std, mean + std, color="#1565c0", alpha=0.2, lw=0, label="± 1 std")
        ax.legend(fontsize=7, loc="upper right")
        ax.set_ylabel("activation", fontsize=8)
        _log_panel(axes[r, 2], x, col["grad_norm"], "gradient norm\n(weights in)", "#2e7d32")
        ax = axes[r, 3]
        _log_panel(ax, x, col["update_ratio"], "update / weight\n(norms)", "#6a1b9a")
        if ax.get_yscale() == "log":
            ax.axhline(HEALTHY_RATIO, color="#999", ls=":", lw=1)
            ax.text(x[0], HEALTHY_RATIO, " 1e-3", va="bottom", fontsize=7, color="#777")
    for k, name in enumerate(("dead and saturated neurons", "activations", "gradient", "update size")):
        axes[0, k].set_title(name, fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel(words, fontsize=8)
    for ax in axes.flat:
        ax.tick_params(labelsize=7)
    every = rows[0][1].every
    fig.suptitle(title or f"layer health (each point: a window of {every} {words.split()[0]})", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / fig.get_figheight()))  # the title above the columns' titles
    return save_figure(fig, path)
