"""The scenarios' shared glue and the ``simnet run`` command.

- ``usage``: ``UsageError`` (a bad option: one line on stderr, exit status 2), the parser and the
  scenarios' ``entry_point``;
- ``registry``: the scenarios ``simnet run`` knows (``SCENARIOS``) and ``run``;
- ``options``: the options the scenarios share and the grammar of hidden sizes;
- ``destinations``, ``memory``: what is checked before the first step;
- ``image_runs``: the steps around an image scenario's training loop.
- ``figures``: drawing a run's figures, a failed figure one line rather than a lost run.
"""
from .usage import ArgumentParser, UsageError, entry_point

__all__ = ["ArgumentParser", "UsageError", "entry_point"]
