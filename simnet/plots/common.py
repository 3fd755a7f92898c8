"""What every figure module shares: saving a figure, the folder of a run's figures, the colour scales.

Public inside ``simnet.plots``: each figure module imports what it needs from here.
"""
import os

import matplotlib.pyplot as plt
import numpy as np

WEIGHT_CMAP = "coolwarm"  # one diverging scale: blue negative, red positive


def save_figure(fig, path):
    """Save ``fig`` to ``path`` (creating its folder) when ``path`` is not None; return ``fig``."""
    if path is not None:
        folder = os.path.dirname(os.fspath(path))
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    return fig


def figure_name(name):
    """A file name made from names read from files (layer names): no separators, no ``..``, bounded length."""
    from ..safefiles import safe_name

    return safe_name(name)


def figure_paths(folder):
    """``(paths, out)``: ``out(name)`` gives the path of figure ``name`` in ``folder`` and lists it in ``paths``.

    ``name`` is made safe (``figure_name``) and the path checked to be inside ``folder``."""
    from ..safefiles import inside

    os.makedirs(folder, exist_ok=True)
    paths = []

    def out(name):
        paths.append(inside(folder, figure_name(name)))
        return paths[-1]

    return paths, out


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
