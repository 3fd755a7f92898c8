"""The scenarios: runnable scripts (``python scenarios/NAME.py``), shipped in the package as ``simnet.scenarios``
so that ``simnet run NAME`` runs the very same code."""
