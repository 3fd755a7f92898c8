"""``simnet.view(network_or_run)``: the explorer inline in a notebook, no server needed.

It returns an ``Explorer`` whose ``_repr_html_`` is the same self-contained page, in an
``<iframe srcdoc>`` so that its script and style stay apart from the notebook's.
``Explorer.save(path)`` writes the page to a file.
"""
import html
import os

from .export import network_page_data, run_page_data
from .page import render


class Explorer:
    """The explorer page for one run or network; shown inline by Jupyter, or ``save``d."""

    def __init__(self, data, height=820):
        self.data = data
        self.height = int(height)

    @property
    def html(self):
        """The whole page, as written by ``python -m simnet view``."""
        return render(self.data)

    def _repr_html_(self):
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;height:{self.height}px;'
                f'border:1px solid #ddd" sandbox="allow-scripts" title="simnet explorer"></iframe>')

    def save(self, path):
        """Write the page to ``path``, whole (``simnet.saving.files.write_file``); returns the path."""
        from ..saving.files import write_file

        text = self.html.encode("utf-8")
        write_file(path, lambda f: f.write(text))
        return path

    def __repr__(self):
        d = self.data
        return (f"Explorer({d['title']!r}: {len(d['layers'])} layers, {len(d['frames'])} snapshots; "
                f"display it in a notebook, or .save('run.html'))")


def view(network_or_run, height=820):
    """An ``Explorer`` of a ``Network`` (its histories and current state), a run folder or a history file."""
    from ..network import Network

    if isinstance(network_or_run, Network):
        return Explorer(network_page_data(network_or_run), height)
    if isinstance(network_or_run, (str, os.PathLike)):
        return Explorer(run_page_data(os.fspath(network_or_run)), height)
    raise TypeError(f"view: give a Network, a run folder or a history.npz path, "
                    f"got {type(network_or_run).__name__}")
