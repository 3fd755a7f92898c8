"""The scenarios ``simnet run`` knows: a name, one line that says what it is, and its entry point.

Each entry point is ``main(argv) -> int`` in a module of ``simnet.scenarios`` (the top-level
``scenarios/`` folder, shipped in the package), imported only when that scenario runs, so
``simnet --help`` stays quick.  To add a scenario, add one ``Scenario`` to ``SCENARIOS``
(see docs/architecture.md).
"""
import contextlib
import importlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from .usage import UsageError, entry_point, help_width, program_name


@dataclass(frozen=True)
class Scenario:
    """``simnet run NAME``: ``NAME``, a one-line ``summary`` and ``entry`` (``'module:function'``)."""

    name: str
    summary: str
    entry: str

    def load(self):
        """The entry point, ``main(argv) -> int``."""
        module, function = self.entry.split(":")
        return getattr(importlib.import_module(module), function)


SCENARIOS = {s.name: s for s in [
    Scenario("streetlights", "the walk-through's first network (3-4-1), sample by sample, with every figure",
             "simnet.scenarios.streetlights:main"),
    Scenario("mnist", "handwritten digits on the classic 784-128-10 network (Nielsen's setups too)",
             "simnet.scenarios.mnist:main"),
    Scenario("fashion-mnist", "the same network and options as mnist, on Zalando's article images",
             "simnet.scenarios.fashion_mnist:main"),
    Scenario("cnn", "the larger CNN (conv, pool, dropout, dense) on --dataset mnist or fashion-mnist",
             "simnet.scenarios.mnist_cnn:main"),
    Scenario("playground", "TensorFlow Playground's 2-D data sets and knobs, a decision map for every neuron",
             "simnet.scenarios.playground:main"),
    Scenario("sweep", "many seeds and settings of a scenario at once: what converged, how fast",
             "simnet.scenarios.sweep:main"),
    Scenario("grokking", "Grokking Deep Learning's chapters 8-14 (--chapter), the book's printed lines to the digit",
             "simnet.scenarios.grokking:main"),
]}


def get_scenario(name: str) -> Scenario:
    """The scenario ``name``; ``UsageError`` naming it and the known ones otherwise."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise UsageError(f"no scenario {name!r}; the scenarios are {', '.join(SCENARIOS)} "
                         f"(simnet --help says what each does)") from None


def describe() -> str:
    """The scenarios, one line each, for ``simnet --help``."""
    width = max(map(len, SCENARIOS))
    return "\n".join(f"  {s.name:<{width}}  {s.summary}" for s in SCENARIOS.values())


def help_text(name: str, width: int = 100) -> str:
    """What ``simnet run NAME --help`` prints, ``width`` columns wide."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), help_width(width):
        try:
            run([name, "--help"])
        except SystemExit:
            pass
    return out.getvalue()


def options_markdown(width: int = 100) -> str:
    """Every scenario's options as docs/scenarios.md shows them: a heading and its ``--help`` each."""
    return "\n".join(f"### {s.name}\n\n```\n{help_text(s.name, width).rstrip()}\n```\n" for s in SCENARIOS.values())


@entry_point
def run(argv: Sequence[str]) -> int:
    """``simnet run SCENARIO [options]``: the scenario's ``main`` with the options; its exit status."""
    argv = list(argv)
    if not argv or argv[0].startswith("-"):
        raise UsageError(f"simnet run needs a scenario first, got {' '.join(argv) or 'nothing'}; the scenarios are "
                         f"{', '.join(SCENARIOS)}")
    scenario = get_scenario(argv[0])
    with program_name(f"simnet run {scenario.name}"):
        return scenario.load()(argv[1:])
