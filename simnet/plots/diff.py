"""The run-diff figure (``simnet diff RUN_A RUN_B``): where two runs of one network part, and how far."""
import matplotlib.pyplot as plt
import numpy as np

from .common import distinct_colours, save_figure


def plot_diff(result, path=None, names=("A", "B"), unit="steps"):
    """Three panels from a ``simnet.compare.RunDiff``: per connection ``||W_A - W_B||`` over the common steps
    (the first difference marked), ``|A - B|`` of the neurons that differ most over the same steps, and the
    weights that differ most at the last common step (their values in A and in B side by side)."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ax = axes[0]
    steps = result.steps
    colours = distinct_colours(max(1, len(result.distance)))
    for colour, (c, d) in zip(colours, result.distance.items()):
        ax.plot(steps, d, color=colour, lw=1.6, label=c)
    ax.set_yscale("symlog", linthresh=1e-6)
    if result.first_step is not None:
        ax.axvline(result.first_step, color="#d62728", ls="--", lw=1)
        what = result.first_weights[0][0] if result.first_weights else ""
        ax.annotate(f"first difference\nafter {result.first_step} {unit}\n{what}", (result.first_step, 0),
                    xytext=(6, 30), textcoords="offset points", fontsize=8, color="#d62728")
    ax.set_xlabel(f"{unit} done")
    ax.set_ylabel("||W_A - W_B|| (symlog; 0 below 1e-6 is linear)")
    ax.set_title("distance per connection", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax = axes[1]
    if result.neuron_curves:
        for colour, (n, curve) in zip(distinct_colours(len(result.neuron_curves)), result.neuron_curves.items()):
            ax.plot(result.neuron_steps, curve, color=colour, lw=1.2, label=n)
        ax.legend(fontsize=8, loc="upper left")
        ax.set_xlabel(f"{unit} done")
        ax.set_ylabel("|neuron value in A - in B|")
    else:
        ax.text(0.5, 0.5, "no neuron values recorded in both runs" if result.first_step is not None else
                "the runs agree", ha="center", va="center", transform=ax.transAxes, color="#666")
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title("neurons that differ most", fontsize=10)
    ax = axes[2]
    top = result.top_weights[:8]
    if top:
        y = np.arange(len(top))
        ax.barh(y - 0.2, [a for _, a, _ in top], height=0.4, color="#1f77b4", label=names[0])
        ax.barh(y + 0.2, [b for _, _, b in top], height=0.4, color="#ff7f0e", label=names[1])
        ax.set_yticks(y)
        ax.set_yticklabels([n for n, _, _ in top], fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="#999", lw=0.8)
        ax.legend(fontsize=8, loc="lower right")
        ax.set_xlabel("weight value")
    else:
        ax.text(0.5, 0.5, "no weight or bias differs", ha="center", va="center", transform=ax.transAxes, color="#666")
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(f"weights that differ most after {int(steps[-1])} {unit}", fontsize=10)
    fig.suptitle(f"run diff: {names[0]} vs {names[1]}", fontsize=11)
    fig.tight_layout()
    return save_figure(fig, path)
