"""``python -m simnet view RUN``: one self-contained HTML file for a recorded run."""
import os
import sys
import webbrowser

from .export import run_page_data
from .page import write


def write_view(run, out=None, diff=None):
    """Write the explorer page of ``run`` (a folder or a history file); returns its path.

    By default it is ``explorer.html`` beside the history file.  ``diff``: another run of the same network,
    compared with this one in a Run diff section (``simnet.compare``).
    """
    data = run_page_data(run)
    if diff is not None:
        data["diff"] = diff_page_data(diff, run)
    if out is None:
        folder = run if os.path.isdir(run) else os.path.dirname(os.path.abspath(run))
        out = os.path.join(folder, "explorer.html")
    return write(data, out)


def diff_page_data(other, run):
    """What the page's Run diff section shows: ``simnet diff OTHER RUN`` as plain data."""
    from ..compare import diff_runs
    from .export import rounded

    r = diff_runs(other, run)
    return {"other": os.path.basename(os.path.normpath(other)), "steps": [int(s) for s in r.steps],
            "distance": {c: rounded(d) for c, d in r.distance.items()}, "first_step": r.first_step,
            "first_weights": [[n, a, b] for n, a, b in r.first_weights[:5]],
            "top_weights": [[n, a, b] for n, a, b in r.top_weights[:8]],
            "top_neurons": [[f"{la}[{i}]", a, b] for la, i, a, b in r.top_neurons[:5]]}


def main(args):
    """The ``view`` subcommand (``args.run``, ``args.out``, ``args.no_open``); returns the exit status."""
    try:
        path = write_view(args.run, args.out, getattr(args, "diff", None))
    except (OSError, ValueError) as e:
        print(f"simnet view: {e}", file=sys.stderr)
        return 2
    path = os.path.abspath(path)
    print(path)
    if not args.no_open:
        webbrowser.open("file://" + path)
    return 0
