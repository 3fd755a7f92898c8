"""``simnet run SCENARIO``: the registry, one line and exit 2 for a user's mistake, help with defaults,
and the same code behind ``simnet run``, ``python -m simnet run`` and ``python scenarios/NAME.py``."""
import argparse
import importlib
import os
import subprocess
import sys

import pytest

from simnet.cli import main as simnet
from simnet.runs import UsageError
from simnet.runs.registry import SCENARIOS, get_scenario

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def one_line_error(capsys):
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1 and err.startswith("error: "), err
    return err


def test_simnet_help_lists_every_scenario_with_one_line(capsys):
    with pytest.raises(SystemExit) as e:
        simnet(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for scenario in SCENARIOS.values():
        assert f"  {scenario.name}" in out and scenario.summary in out
    assert list(SCENARIOS) == ["streetlights", "mnist", "fashion-mnist", "cnn", "playground", "sweep", "grokking"]


def test_every_script_in_scenarios_is_registered_and_every_entry_is_its_main():
    scripts = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "scenarios"))
                     if f.endswith(".py") and f != "__init__.py")
    entries = sorted(s.entry.split(":")[0].rsplit(".", 1)[1] for s in SCENARIOS.values())
    assert entries == scripts
    for scenario in SCENARIOS.values():
        main = scenario.load()
        module = importlib.import_module(scenario.entry.split(":")[0])
        assert main is module.main and callable(main)
        assert os.path.realpath(module.__file__) == os.path.join(ROOT, "scenarios", os.path.basename(module.__file__))


@pytest.mark.parametrize("argv, words", [
    (["run", "nosuch"], "no scenario 'nosuch'; the scenarios are streetlights, mnist, fashion-mnist, cnn, playground, sweep"),
    (["run"], "simnet run needs a scenario first, got nothing"),
    (["run", "--lr", "3"], "simnet run needs a scenario first, got --lr 3"),
    (["nosuch"], "invalid choice: 'nosuch' (choose from 'run', 'plot', 'view', 'fork', 'diff') (see simnet --help)"),
])
def test_an_unknown_scenario_or_command_is_one_line_and_exit_2(argv, words, capsys):
    assert simnet(argv) == 2
    assert words in one_line_error(capsys)


BAD = {  # a bad value for each scenario, and the words the one line must hold (the option and the value)
    "streetlights": (["--alpha", "-1"], "--alpha must be a positive finite number, got -1.0"),
    "mnist": (["--lr", "0"], "--lr must be a positive finite number, got 0.0"),
    "fashion-mnist": (["--batch-size", "0"], "--batch-size must be at least 1, got 0"),
    "cnn": (["--epochs", "-1"], "--epochs must be 0 or more, got -1"),
    "playground": (["--noise", "70"], "--noise must be 0-50 (percent), got 70"),
    "sweep": (["streetlights", "--seeds", "x"], "--seeds x: seeds must look like"),
    "grokking": (["--chapter", "8", "--iterations", "0"], "--iterations must be at least 1, got 0"),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_bad_option_in_every_scenario_is_one_line_naming_it_and_exit_2(name, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be written, but if it were, not in the checkout
    argv, words = BAD[name]
    assert simnet(["run", name, *argv]) == 2
    assert words in one_line_error(capsys)
    first = {"sweep": argv[:1], "grokking": argv[:2]}.get(name, [])  # sweep's scenario, grokking's --chapter
    assert simnet(["run", name, *first, "--no-such-option", "7"]) == 2
    line = one_line_error(capsys)
    assert "unrecognized arguments: --no-such-option 7" in line and f"(see simnet run {name} --help)" in line
    assert os.listdir(tmp_path) == []


def test_an_invalid_choice_names_the_option_and_the_value(capsys):
    assert simnet(["run", "cnn", "--dataset", "cifar"]) == 2
    assert "argument --dataset: invalid choice: 'cifar'" in one_line_error(capsys)


def _options(parser):
    return {o: a for a in parser._actions for o in a.option_strings}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_help_shows_every_option_with_its_default(name, capsys):
    with pytest.raises(SystemExit) as e:
        simnet(["run", name, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: simnet run {name} ")
    # every option that has a default says it (in the help's words, or argparse's "(default: ...)")
    module = importlib.import_module(get_scenario(name).entry.split(":")[0])
    parsers = []
    real = argparse.ArgumentParser.parse_args

    def spy(self, args=None, namespace=None):
        parsers.append(self)
        raise SystemExit(0)

    argparse.ArgumentParser.parse_args = spy
    try:
        with pytest.raises(SystemExit):
            (module.parse_args if hasattr(module, "parse_args") else module.main)(["x"])
    finally:
        argparse.ArgumentParser.parse_args = real
    [parser] = parsers
    for option, action in _options(parser).items():
        if action.default not in (None, False, argparse.SUPPRESS) and option.startswith("--"):
            assert f"{option}" in out
            help_text = parser._get_formatter()._get_help_string(action)
            assert "default" in help_text, (name, option)


def test_help_shows_each_default_value(capsys):
    with pytest.raises(SystemExit):
        simnet(["run", "streetlights", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for words in ("(default: 0.2)", "(default: 0.001)", "(default: 1000)", "(default: plots/streetlights)",
                  "the walk-through's alpha"):
        assert words in out
    with pytest.raises(SystemExit):
        simnet(["run", "cnn", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: plots/<dataset>_cnn)" in out and "(default: 200)" in out and "(default: adam;" in out


def test_a_usage_error_raised_in_a_scenario_is_one_line(capsys):
    from simnet.runs import entry_point

    @entry_point
    def main(argv=None):
        raise UsageError(f"--width {argv[0]}: must be\n  positive")

    assert main(["-3"]) == 2
    assert one_line_error(capsys) == "error: --width -3: must be positive\n"


@pytest.mark.slow
def test_python_m_simnet_run_is_the_script_and_the_command(tmp_path):
    """One subprocess each: ``python -m simnet run`` and ``python scenarios/streetlights.py`` print the same
    (slow tier: tests/test_wheel.py holds the same promise for the installed wheel)."""
    env = {**os.environ, "PYTHONPATH": ROOT, "MPLBACKEND": "Agg"}
    outs = [subprocess.run([sys.executable, *argv, "--no-plots", "--max-iter", "30"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
            for argv in (["-m", "simnet", "run", "streetlights"], [os.path.join(ROOT, "scenarios", "streetlights.py")])]
    assert [o.returncode for o in outs] == [0, 0], outs
    assert outs[0].stdout == outs[1].stdout and "20 Error = 0.19074" in outs[0].stdout


def test_python_m_simnet_streetlights_says_what_to_type(capsys):
    import runpy
    import warnings

    with warnings.catch_warnings(), pytest.raises(SystemExit) as e:
        warnings.simplefilter("ignore", RuntimeWarning)  # (runpy: the module is imported already)
        runpy.run_module("simnet.streetlights", run_name="__main__")
    captured = capsys.readouterr()
    assert e.value.code == 2 and "simnet run streetlights" in captured.err and captured.out == ""


# ---- one vocabulary ---------------------------------------------------------------------------
def test_one_network_is_joined_by_dashes_and_several_by_commas_in_every_scenario(capsys):
    from simnet.runs.options import hidden_grid, hidden_sizes

    assert hidden_sizes("4") == [4] and hidden_sizes("4-2") == [4, 2] and hidden_sizes("128-64-32") == [128, 64, 32]
    assert hidden_grid("2,4,4-2") == [(2,), (4,), (4, 2)] and hidden_grid("4,4") == [(4,)]
    for scenario in ("streetlights", "mnist", "fashion-mnist", "playground"):
        assert simnet(["run", scenario, "--hidden", "4,2", "--no-plots"]) == 2
        line = one_line_error(capsys)
        assert "argument --hidden: '4,2' lists several networks" in line and "joined by '-', as in 4-2" in line
        assert simnet(["run", scenario, "--hidden", "4x2", "--no-plots"]) == 2
        assert "argument --hidden: hidden sizes are positive integers joined by '-'" in one_line_error(capsys)
    sweep = importlib.import_module("simnet.scenarios.sweep")
    args = sweep.parse_args(["streetlights", "--hidden", "2,4-2", "--lr", "0.1,0.2"])
    assert args.hidden_list == [(2,), (4, 2)] and args.alpha_list == [0.1, 0.2]
    assert sweep.parse_args([]).scenario == "streetlights"  # simnet run sweep: streetlights, seeds 0-99
    assert simnet(["run", "sweep", "streetlights", "--hidden", "4x2"]) == 2
    assert "--hidden 4x2: hidden sizes are positive integers joined by '-'" in one_line_error(capsys)


def test_alpha_and_lr_are_one_option_in_every_scenario():
    streetlights = importlib.import_module("simnet.scenarios.streetlights")
    mnist = importlib.import_module("simnet.scenarios.mnist")
    assert streetlights.parse_args(["--lr", "0.3"]).alpha == streetlights.parse_args(["--alpha", "0.3"]).alpha == 0.3
    assert mnist.parse_args(["--alpha", "0.3"]).lr == mnist.parse_args(["--lr", "0.3"]).lr == 0.3


# ---- printed words ------------------------------------------------------------------------------
def test_no_negative_zero_and_no_1_epochs(capsys, tmp_path):
    from helpers import tiny_image_set

    from simnet.words import fixed, plural

    assert [fixed(v) for v in (-0.0001, -0.0, 0.0004, -0.0006, 0.9775)] == ["0.000", "0.000", "0.000", "-0.001", "0.978"]
    assert [plural(n, "epoch") for n in (0, 1, 2)] == ["0 epochs", "1 epoch", "2 epochs"]
    assert simnet(["run", "streetlights", "--seed", "1", "--no-plots"]) == 0  # its last prediction is -0.00003
    out = capsys.readouterr().out
    assert "input [1 1 1]  prediction 0.000  goal 0" in out and "-0.000" not in out
    data = tiny_image_set(tmp_path / "data", n_train=100, n_test=50)
    assert simnet(["run", "mnist", "--data", str(data), "--hidden", "4", "--epochs", "1", "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "after 1 epoch;" in out and "1 epochs" not in out
