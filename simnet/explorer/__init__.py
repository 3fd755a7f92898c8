"""The explorer: a recorded run or a live one, in a browser (issue 11).

- ``python -m simnet view RUN`` writes one self-contained HTML file for a run folder or its
  ``history.npz`` (``simnet.explorer.command.write_view``);
- ``simnet.view(network_or_run)`` shows the same page inline in a notebook (``notebook.py``);
- every scenario's ``--live [PORT]`` serves it, fed by the running training, on 127.0.0.1 with
  a token (``server.py``), where the run can be paused, stepped, edited and stopped.

Nothing here is imported to train: the scenarios import it only when ``--live`` is given.
"""
from .notebook import Explorer, view

__all__ = ["Explorer", "view"]
