"""The walk-through's figures: error per iteration, every weight's history, every neuron's history.

Every function takes plain arrays (what a ``History`` holds, live or loaded from an ``.npz``
file), draws on a new matplotlib figure, saves it when given a ``path`` and returns the figure,
so a figure can be inspected in a test or shown on screen.
"""
import matplotlib.pyplot as plt
import numpy as np

from .common import save_figure, source_colour, target_width


def plot_errors(steps, per_sample, average, path=None, labels=None, xlabel="iteration"):
    """Error per iteration: one line per sample plus the average (thicker, black)."""
    per_sample = np.asarray(per_sample)
    fig, ax = plt.subplots(figsize=(8, 5))
    for k in range(per_sample.shape[1]):
        label = labels[k] if labels is not None else f"sample {k}"
        ax.plot(steps, per_sample[:, k], lw=1, label=label)
    ax.plot(steps, average, color="black", lw=2.5, label="average")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("error")
    ax.set_title("error per iteration")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return save_figure(fig, path)


def plot_weights(steps, values, source, target, select=None, path=None, max_lines=64):
    """History of every weight of one connection, the walk-through's way.

    Colour by source neuron, line width by target neuron, legend
    ``weight <source>:<target>[i:j]``.  ``values`` is ``(T, n_source, n_target)``,
    or ``(T, k)`` with ``select`` the ``k`` recorded ``(i, j)`` pairs.
    """
    values = np.asarray(values)
    if select is None:
        n_s, n_t = values.shape[1:]
        select = [(i, j) for i in range(n_s) for j in range(n_t)]
        values = values.reshape(len(values), -1)
    select = [tuple(p) for p in select][:max_lines]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for k, (i, j) in enumerate(select):
        ax.plot(steps, values[:, k], color=source_colour(i), lw=target_width(j),
                label=f"weight {source}:{target}[{i}:{j}]")
    ax.set_title(f"{source} to {target} weight")
    ax.set_xlabel("step")
    ax.set_ylabel("weight")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", ncol=max(1, len(select) // 16), loc="center left", bbox_to_anchor=(1.01, 0.5))
    return save_figure(fig, path)


def plot_neurons(steps, values, name, path=None, select=None):
    """History of every neuron of one layer, as dots."""
    values = np.asarray(values)
    idx = range(values.shape[1]) if select is None else select
    fig, ax = plt.subplots(figsize=(8, 5))
    for k, i in enumerate(idx):
        ax.plot(steps, values[:, k], ".", ms=3, color=source_colour(i), label=f"{name}[{i}]")
    ax.set_title(f"{name} neuron history")
    ax.set_xlabel("step")
    ax.set_ylabel("value")
    ax.grid(alpha=0.3)
    if len(idx) <= 20:
        ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return save_figure(fig, path)
