"""What every figure module shares: saving a figure, the folder of a run's figures, the colour scales.

Public inside ``simnet.plots``: each figure module imports what it needs from here.
"""
import os

import matplotlib.pyplot as plt
import numpy as np

WEIGHT_CMAP = "coolwarm"  # one diverging scale: blue negative, red positive
DPI = 100  # resolution of saved figures (docs/make_gallery.py lowers it to keep the gallery small)


def save_figure(fig, path):
    """Save ``fig`` to ``path`` (creating its folder) when ``path`` is not None; return ``fig``.

    The file is written whole or not at all (``simnet.saving.files.write_file``: a temporary file renamed
    over it), so an interrupt or an error while it is drawn never leaves part of a figure."""
    if path is not None:
        from ..saving.files import write_file

        ext = os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "png"
        write_file(path, lambda f: fig.savefig(f, format=ext, dpi=DPI, bbox_inches="tight"))
    return fig


def figure_name(name):
    """A file name made from names read from files (layer names): no separators, no ``..``, bounded length."""
    from ..saving.files import safe_name

    return safe_name(name)


def figure_paths(folder):
    """``(paths, out)``: ``out(name)`` gives the path of figure ``name`` in ``folder`` and lists it in ``paths``.

    ``name`` is made safe (``figure_name``) and the path checked to be inside ``folder``."""
    from ..saving.files import inside

    os.makedirs(folder, exist_ok=True)
    paths = []

    def out(name):
        paths.append(inside(folder, figure_name(name)))
        return paths[-1]

    return paths, out


SMALL_CONNECTION = (10, 6)  # at most this many sources and targets: the walk-through's scheme, every weight
MAX_LINES = 12  # a large connection draws this many weights (those that changed most)
LINE_WIDTH = (1.0, 2.6)  # the bounds of line widths in the figures of large connections
MARKERS = "os^Dv<>PX*hp"  # one per sample in per-sample neuron figures


def distinct_colours(n):
    """``n`` colours, no two alike: tab10 up to 10, tab20 up to 20, then evenly spaced hues."""
    if n <= 10:
        return [plt.get_cmap("tab10")(k) for k in range(n)]
    if n <= 20:
        return [plt.get_cmap("tab20")(k) for k in range(n)]
    return [plt.get_cmap("hsv")(k / n) for k in range(n)]


def fmt(value, digits=3):
    """A number short enough for a label: ``0.978``, ``-12.3``, ``1.2e+200``, ``nan``, ``inf``."""
    v = float(value)
    if not np.isfinite(v):
        return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if v == 0:
        return "0"
    if 1e-2 <= abs(v) < 1e4:
        return f"{v:.{digits}g}" if abs(v) >= 1 else f"{v:.2f}"
    return f"{v:.2g}"


def time_axis(steps, unit="step", period=1):
    """``(x, label)``: where recorded steps go on a time axis, and what one unit of it is.

    A per-sample history (``period`` samples per iteration) is drawn against the iteration, each
    sample at its place within it (step / period); otherwise against the step, named by ``unit``
    (``'sample'``, ``'batch'``).
    """
    steps = np.asarray(steps)
    if period > 1:
        return steps / period, f"iteration ({period} samples each; sample k at iteration + k/{period})"
    words = {"batch": "training step (one batch each)", "sample": "training step (one sample each)"}
    return steps, words.get(unit, unit)


def legend_outside(ax, handles=None, labels=None, title=None, fontsize="x-small", ncol=1):
    """A legend beside the axes (never over the data)."""
    kw = {} if handles is None else {"handles": handles, "labels": labels}
    return ax.legend(**kw, fontsize=fontsize, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
                     ncol=ncol, title=title, title_fontsize=fontsize)


def finite_limit(a, default=1.0):
    """The largest finite absolute value in ``a`` (``default`` if there is none, or it is 0)."""
    a = np.asarray(a, dtype=float)
    a = np.abs(a[np.isfinite(a)])
    return float(a.max()) if a.size and a.max() > 0 else default


def changed_most(first, last, k):
    """The ``k`` entries (index tuples) of two snapshots whose values changed most, largest change first.

    Non-finite changes (a diverged run) count as the largest.  Returns ``(indices, changed)``;
    ``changed`` is False when nothing changed at all (then the largest final values are picked).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        d = np.abs(np.asarray(last, dtype=float) - np.asarray(first, dtype=float))
    d[~np.isfinite(d)] = np.inf
    changed = bool(np.any(d > 0))
    score = d if changed else np.abs(np.nan_to_num(np.asarray(last, dtype=float), nan=0.0))
    flat = np.argsort(-score.reshape(-1), kind="stable")[:k]
    return [tuple(int(v) for v in np.unravel_index(f, score.shape)) for f in flat], changed


def source_colour(i):
    """The colour of source neuron ``i`` in weight figures."""
    return plt.get_cmap("tab10")(i % 10)


def target_width(j):
    """The line width of target neuron ``j`` in weight figures."""
    return 0.8 + 1.0 * j


def strongest(weights, k):
    """Indices of the ``k`` rows of ``weights`` with the largest norms: the neurons worth drawing."""
    return np.sort(np.argsort(-np.linalg.norm(weights, axis=1), kind="stable")[:k])


def finish(figs, show=False):
    """Show the figures of a run (``show``), then close them: a run draws many, and each holds memory."""
    if show:
        plt.show()
    for fig in figs:
        plt.close(fig)


def side_by_side(images, path):
    """Put saved figures (image files) next to each other in one figure saved at ``path``."""
    fig, axes = plt.subplots(1, len(images), figsize=(8 * len(images), 6))
    for ax, image in zip(axes, images):
        ax.imshow(plt.imread(image))
        ax.axis("off")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
