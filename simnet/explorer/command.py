"""``python -m simnet view RUN``: one self-contained HTML file for a recorded run."""
import os
import sys
import webbrowser

from .export import run_page_data
from .page import write


def write_view(run, out=None):
    """Write the explorer page of ``run`` (a folder or a history file); returns its path.

    By default it is ``explorer.html`` beside the history file.
    """
    data = run_page_data(run)
    if out is None:
        folder = run if os.path.isdir(run) else os.path.dirname(os.path.abspath(run))
        out = os.path.join(folder, "explorer.html")
    return write(data, out)


def main(args):
    """The ``view`` subcommand (``args.run``, ``args.out``, ``args.no_open``); returns the exit status."""
    try:
        path = write_view(args.run, args.out)
    except (OSError, ValueError) as e:
        print(f"simnet view: {e}", file=sys.stderr)
        return 2
    path = os.path.abspath(path)
    print(path)
    if not args.no_open:
        webbrowser.open("file://" + path)
    return 0
