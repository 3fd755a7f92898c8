"""The documentation tells the truth: the README is a front page under 250 lines whose printout is the
scenario's, every command shown in README.md and docs/ parses (its scenario, options and values), every
Python example runs, every link resolves, the options are generated from the parsers, the layout in
docs/architecture.md is the package's, and the version and the changelog agree."""
import contextlib
import io
import os
import re
import shlex
import tomllib

import pytest

import simnet
from simnet.cli import main as simnet_main
from simnet.cli import parser as simnet_parser
from simnet.runs import UsageError
from simnet.runs.registry import SCENARIOS, get_scenario, options_markdown

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
PAGES = ["README.md", "CHANGELOG.md"] + sorted(os.path.join("docs", f) for f in os.listdir(DOCS) if f.endswith(".md"))


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


# ---- the front page -----------------------------------------------------------------------------
def test_the_readme_is_a_front_page_under_250_lines():
    text = read("README.md")
    assert len(text.splitlines()) < 250
    assert "    pip install -e . && simnet run streetlights\n" in text
    assert '    pip install -e ".[dev]" && pytest && pytest -m slow\n' in text
    assert text.count("<!-- speed:begin -->") == 1 and text.count("<!-- speed:end -->") == 1
    assert text.index("<!-- speed:begin -->") < text.index("<!-- speed:end -->")
    for topic in ("scenarios", "explorer", "data", "cnn", "results", "speed", "reliability", "architecture"):
        assert f"(docs/{topic}.md)" in text, topic
    assert "![" in text


def test_the_readme_printout_is_the_scenarios(capsys):
    text = read("README.md")
    block = text[text.index("    0 Error = 0.35238"):text.index("input [1 1 1]")]
    shown = [line[4:] for line in block.splitlines() if line.strip()]
    shown.append(text[text.index("input [1 1 1]"):].splitlines()[0])
    assert simnet_main(["run", "streetlights", "--no-plots"]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    start = printed.index(shown[0])
    assert printed[start:start + len(shown)] == shown


# ---- every link and every command ---------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_every_relative_link_resolves(page):
    for target in re.findall(r"\]\(([^)\s]+)\)", read(page)):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = os.path.normpath(os.path.join(ROOT, os.path.dirname(page), target.split("#")[0]))
        assert os.path.exists(path), f"{page}: link {target} -> {path} does not exist"


COMMAND = re.compile(r"^(simnet( |$)|python scenarios/|python -m simnet( |$)|python benchmarks/|python docs/|pip install "
                     r"|pytest( |$))")


def commands(page):
    """Every command a page shows: the lines of its code blocks (indented or fenced, not Python) and its
    inline code that start like a command, without prompts, row labels, comments and environment."""
    text = read(page)
    found = []
    lines = text.splitlines()
    fenced = None
    variables = {}
    for line in lines:
        if line.startswith("```"):
            fenced = None if fenced is not None else line[3:].strip()
            continue
        if fenced == "python" or not (fenced is not None or line.startswith("    ")):
            continue
        line = line.strip()
        m = re.match(r'^(\w+)="(.*)"$', line)
        if m:
            variables[m.group(1)] = m.group(2)
            continue
        line = re.sub(r"^(\$ |\([a-z]\) )", "", line)
        line = re.sub(r"^([A-Z_]+=\S+ )+", "", line)
        line = re.sub(r"\s+#.*$", "", line)
        for name, value in variables.items():
            line = line.replace(f"${name}", value)
        for part in line.split(" && "):
            if COMMAND.match(part):
                found.append(part.replace("--seed S", "--seed 0"))
    for code in re.findall(r"`([^`\n]+)`", text):
        if COMMAND.match(code) and "..." not in code and "RUN" not in code and "SCENARIO" not in code \
                and "NAME" not in code and code not in ("simnet run", "simnet plot", "simnet view", "simnet fork",
                                                        "simnet diff"):
            found.append(code)  # (the bare command names a command in a sentence)
    return found


def check_command(line):
    """Parse ``line`` as the command would, without running it (or run it, for ``--help``)."""
    words = shlex.split(line)
    if words[0] == "pip":
        extras = tomllib.loads(read("pyproject.toml"))["project"]["optional-dependencies"]
        for word in words[2:]:
            m = re.fullmatch(r"(?:-e )?\.(?:\[(\w+)\])?", word)
            if word != "-e":
                assert m, line
                assert m.group(1) is None or m.group(1) in extras, line
        return
    if words[0] == "pytest":
        for word in words[1:]:
            if word.startswith("tests/"):
                assert os.path.exists(os.path.join(ROOT, word)), line
        return
    if words[:2] in (["python", "-m"],) and words[2] == "simnet":
        words = ["simnet", *words[3:]]
    if words[0] == "python":
        script = words[1]
        assert os.path.isfile(os.path.join(ROOT, script)), line
        if script.startswith("scenarios/"):
            name = {"mnist_cnn": "cnn", "fashion_mnist": "fashion-mnist"}.get(script[10:-3], script[10:-3])
            words = ["simnet", "run", name, *words[2:]]
        else:
            return  # benchmarks and docs scripts: they exist; the slow tier runs their --help
    assert words[0] == "simnet", line
    argv = words[1:]
    if "--help" in argv or not argv:
        with contextlib.redirect_stdout(io.StringIO()), pytest.raises(SystemExit) as e:
            simnet_main(argv or ["--help"])
        assert e.value.code == 0, line
    elif argv[0] == "run":
        module = __import__(get_scenario(argv[1]).entry.split(":")[0], fromlist=["parse_args"])
        try:
            module.parse_args(argv[2:])
        except UsageError as e:
            raise AssertionError(f"{line}: {e}") from None
    else:
        try:
            simnet_parser().parse_args(argv)
        except UsageError as e:
            raise AssertionError(f"{line}: {e}") from None


@pytest.mark.parametrize("page", PAGES)
def test_every_command_shown_parses(page, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # nothing is run, but a parser that wrote would write here
    for line in commands(page):
        check_command(line)


def test_the_commands_found_are_the_ones_shown():
    readme = commands("README.md")
    assert "simnet run streetlights" in readme and "pytest -m slow" in readme and 'pip install -e .[dev]' not in readme
    assert "simnet run cnn --train-size 2000 --epochs 1" in readme
    results = commands(os.path.join("docs", "results.md"))
    assert any(c.startswith("simnet run mnist --hidden 30  --loss squared") and "--dtype float64" in c
               and c.endswith("--seed 0") for c in results)
    with pytest.raises(AssertionError, match="--hidden 4,2"):
        check_command("simnet run streetlights --hidden 4,2")
    with pytest.raises(AssertionError):
        check_command("python scenarios/nosuch.py")


@pytest.mark.parametrize("page", [p for p in PAGES if "```python" in read(p)])
def test_every_python_example_runs(page, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    names = {"__name__": "__example__"}  # a page's examples run in turn, as a reader runs them
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", read(page), re.S)):
        exec(compile(block, f"{page}, example {i + 1}", "exec"), names)


def test_the_stepping_example_prints_the_walkthroughs_layer_and_fit_its_digits(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", read("README.md"), re.S)
    for block in blocks:
        exec(block, {})
    out = capsys.readouterr().out
    assert "Layer: hidden  (4 neurons, activation relu)" in out
    assert "58 [0.978 1.    0.037 0.   ]" in out


# ---- generated from the code --------------------------------------------------------------------
def test_the_options_page_is_what_the_parsers_print():
    text = read(os.path.join("docs", "scenarios.md"))
    block = text[text.index("<!-- options:begin -->\n") + len("<!-- options:begin -->\n"):text.index("<!-- options:end -->")]
    assert block == "\n" + options_markdown() + "\n", "docs/scenarios.md is out of date: run python docs/make_scenarios.py"
    for name in SCENARIOS:
        assert f"### {name}\n" in block


def listed_modules():
    text = read(os.path.join("docs", "architecture.md"))
    tree = text[text.index("## The layout"):text.index("Imports point one way")]
    paths, stack = set(), []
    for line in tree.splitlines():
        m = re.match(r"^    ( *)(\S+)", line)
        if not m:
            continue
        depth, name = len(m.group(1)) // 2, m.group(2)
        stack[depth:] = [name]
        if name.endswith(".py") or name.endswith("/"):
            paths.add("".join(stack).rstrip("/"))
    return paths


def test_the_architecture_page_lists_every_module_and_no_other():
    listed = {p for p in listed_modules() if p.startswith("simnet/") or p.startswith("scenarios/")}
    actual = set()
    for top in ("simnet", "scenarios"):
        for folder, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not os.path.islink(os.path.join(folder, d))]
            rel = os.path.relpath(folder, ROOT)
            if rel != top:
                actual.add(rel)
            actual |= {os.path.join(rel, f) for f in files if f.endswith(".py") and f != "__init__.py"}
    actual.discard("scenarios")
    listed.discard("simnet/__init__.py")
    assert listed == actual, (f"docs/architecture.md lists modules that are not in the package: {sorted(listed - actual)}; "
                              f"modules not in docs/architecture.md: {sorted(actual - listed)}")


def test_the_version_is_in_one_place_and_the_changelog_names_it():
    meta = tomllib.loads(read("pyproject.toml"))
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "simnet.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", simnet.__version__)
    changelog = read("CHANGELOG.md")
    assert changelog.startswith("# Changelog\n") and "[Keep a Changelog]" in changelog
    releases = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    assert releases[0] == "Unreleased" and releases[1] == simnet.__version__
    for section in re.findall(r"^### (.+)$", changelog, re.M):
        assert section in ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"), section


# ---- code habits --------------------------------------------------------------------------------
def test_the_public_api_is_type_hinted():
    """Every parameter and return of the public API carries a hint (mypy checks them in .ci/run)."""
    import inspect

    from simnet import SGD, Adam, CrossEntropy, Momentum, Network, SimpleLayer, SquaredError
    from simnet.losses import get_loss
    from simnet.optimizers import as_optimizer, get_optimizer
    from simnet.plots.redraw import plot_cnn_run, plot_image_run, plot_run, redraw
    from simnet.plots.sweeps import plot_sweep

    layer = ["__init__", "connect", "set_neurons", "train", "infer", "calc_delta", "learn", "pass_delta", "update",
             "monitor", "describe"]
    network = ["__init__", "build", "layer", "forward", "backward", "step", "run_epoch", "evaluate", "feature_maps",
               "summary", "predict", "fit", "record_all", "record_summaries", "save_history"]
    functions = [getattr(SimpleLayer, n) for n in layer] + [getattr(Network, n) for n in network] + [
        get_optimizer, as_optimizer, SGD.set_l2, Adam.decay_factor, Momentum.set_l2, get_loss, plot_run, redraw,
        plot_image_run, plot_cnn_run, plot_sweep, SquaredError.sample_errors, SquaredError.delta,
        CrossEntropy.sample_errors, CrossEntropy.delta]
    for f in functions:
        sig = inspect.signature(f)
        missing = [p for p in sig.parameters if p not in ("self", "cls") and
                   sig.parameters[p].annotation is inspect.Parameter.empty]
        assert not missing and sig.return_annotation is not inspect.Signature.empty, (f.__qualname__, missing)
