"""A sequence, step by step: a recurrent layer's neurons per time step and the gradient's size per step.

Takes recorded arrays (``Recurrent.states``, ``Recurrent.state_gradients``), not a live network.
"""
import matplotlib.pyplot as plt
import numpy as np

from .common import distinct_colours, save_figure

FEW_NEURONS = 12  # up to this many neurons: one line each; more: one row each in a heat map


def plot_sequence(states, gradients, name="recurrent", step_labels=None, path=None, title=None):
    """Two panels over the time steps: the neurons' values (``states``, ``(T + 1, n)``, state 0 the start)
    and the size of the gradient reaching each state from the later steps (``gradients``, ``(T, n)``: the
    largest magnitude per step, on a log scale, every neuron as a faint line).  ``step_labels`` name the
    steps (the words of a sentence).  Returns the figure."""
    states, gradients = np.asarray(states, float), np.asarray(gradients, float)
    steps, n = states.shape
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(6.0, 0.55 * steps + 2), 6.5), sharex=True,
                                      constrained_layout=True)
    x = np.arange(steps)
    if n <= FEW_NEURONS:
        for j, colour in zip(range(n), distinct_colours(n)):
            top.plot(x, states[:, j], "o-", color=colour, lw=1.4, ms=4, label=f"{name}[{j}]")
        top.legend(fontsize=7, ncol=min(n, 4), loc="best")
        top.set_ylabel("neuron value")
    else:
        limit = float(np.max(np.abs(states))) or 1.0
        image = top.imshow(states.T, aspect="auto", cmap="coolwarm", vmin=-limit, vmax=limit, interpolation="nearest",
                           extent=(-0.5, steps - 0.5, n - 0.5, -0.5))
        fig.colorbar(image, ax=top, label="neuron value (one scale, symmetric)")
        top.set_ylabel("neuron")
    top.set_title(title or f"{name}: neurons per time step (state 0 is the start)")
    size = np.max(np.abs(gradients), axis=1)
    g = x[:-1]
    positive = size > 0
    for j in range(gradients.shape[1]):
        column = np.abs(gradients[:, j])
        keep = column > 0
        bottom.plot(g[keep], column[keep], color="0.75", lw=0.8, zorder=1)
    bottom.plot(g[positive], size[positive], "o-", color="C3", lw=2, ms=5, zorder=2,
                label="largest |gradient| reaching the state")
    bottom.set_yscale("log")
    bottom.set_ylabel("|d error / d state| (log scale)")
    bottom.set_xlabel("time step")
    bottom.legend(fontsize=8, loc="best")
    bottom.set_title(f"{name}: the gradient's size per step, carried back through time")
    if step_labels is not None:
        bottom.set_xticks(x, [str(s) for s in step_labels], rotation=45, ha="right", fontsize=8)
    else:
        bottom.set_xticks(x)
    return save_figure(fig, path)
