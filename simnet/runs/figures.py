"""Drawing a run's figures after its history is written: a figure that fails is a line, not a lost run.

``draw_figures(draw, folder)`` calls ``draw()`` (which returns the paths it wrote).  An error in a figure
is one line on stderr naming what failed (``simnet.plots.redraw`` has already said which figures were not
drawn) and where the history is, so that ``simnet plot`` can draw them again; it returns None, for the
run to exit non-zero.  An interrupt goes on up (the command ends with one line and 128 + the signal).
"""
import sys


def draw_figures(draw, folder):
    """``draw()``'s paths, or None (after one line on stderr) if a figure failed."""
    try:
        return draw()
    except Exception as e:  # noqa: BLE001 - whatever a figure hits, the run's history and save are kept
        print(f"error: drawing the figures failed ({type(e).__name__}: {e}); what the run recorded is kept: "
              f"'simnet plot {folder}' draws them again", file=sys.stderr)
        return None
