"""Where a run writes: every folder it will write into is created and probed before the first step.

A destination that cannot be used is a ``UsageError`` naming the option and the folder, raised
before any training, so a long run never fails at its end for want of a place to put its results.
"""
import os
import tempfile

from ..saving import SAVE_FOLDER_FILES
from ..saving.files import FolderInUse, claim_folder
from .usage import UsageError


def _probe(folder, what):
    """Create ``folder`` and check that a file can be written in it; ``UsageError`` otherwise."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"{what} {folder}: exists and is not a folder")
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".simnet-probe-"):
            pass
    except OSError as e:
        raise UsageError(f"{what} {folder}: cannot write there ({e.strerror or type(e).__name__})") from None


def check_destinations(args):
    """Create and probe for writing, before the first step, every folder the run writes into.

    ``args.save`` (a save folder: its parent is probed, since the save is written beside it and
    renamed in, and an existing folder must hold a save or nothing), ``args.plots`` (unless
    ``args.no_plots``) and ``args.results`` (a sweep's table: its folder).  A failure is a ``UsageError``.
    """
    save = getattr(args, "save", None)
    plots = None if getattr(args, "no_plots", False) else getattr(args, "plots", None)
    results = getattr(args, "results", None)
    if save:
        target = os.path.abspath(save)
        _probe(os.path.dirname(target.rstrip(os.sep)) or ".", f"--save {save}: its folder")
        try:  # the folder is this run's until it ends: a second run naming it is refused here, at its start
            claim_folder(target)
        except FolderInUse as e:
            raise UsageError(f"--save {save}: {e}") from None
        if os.path.lexists(target):
            if not os.path.isdir(target):
                raise UsageError(f"--save {save}: exists and is not a folder")
            foreign = sorted(set(os.listdir(target)) - set(SAVE_FOLDER_FILES))
            if foreign:
                raise UsageError(f"--save {save}: holds files that are not a save ({', '.join(foreign[:3])}"
                                 f"{'...' if len(foreign) > 3 else ''}); choose an empty or new folder")
        _probe(target, "--save")
        if plots and os.path.abspath(plots) == target:
            raise UsageError(f"--save and --plots both name {save}: a save folder holds the save only")
    if plots:
        _probe(plots, "--plots")
    if results:
        _probe(os.path.dirname(os.path.abspath(results)), f"--results {results}: its folder")
        if os.path.isdir(results):
            raise UsageError(f"--results {results}: is a folder; name the table's file (results.csv)")
