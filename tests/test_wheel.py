"""simnet as an installed product (slow tier): the wheel built from this checkout, installed into a fresh
virtual environment (no checkout on sys.path, dependencies from the package index), runs every scenario
from an empty folder with the very output of the checkout's scripts."""
import os
import subprocess
import sys

import pytest

from helpers import needs_mnist_full

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STREETLIGHTS_FIGURES = {"error.png", "input_to_hidden_weights.png", "hidden_to_output_weights.png",
                        "input_neurons.png", "hidden_neurons.png", "output_neurons.png", "network.png", "history.npz"}


def clean_env(**extra):
    """The environment of a user's shell: no PYTHONPATH, no virtual environment of ours."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, "MPLBACKEND": "Agg", **extra}


def run(argv, cwd, env, timeout=600):
    p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{' '.join(map(str, argv))} exited {p.returncode}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(bin folder, environment)`` of a fresh venv holding the wheel of this checkout."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    env = clean_env()
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), ROOT]
    try:  # a setuptools here that pyproject.toml accepts: build with it rather than fetch it again
        import setuptools

        if int(setuptools.__version__.split(".")[0]) >= 68:
            build.insert(5, "--no-build-isolation")
    except ImportError:
        pass
    run(build, base, env)
    [wheel] = [f for f in os.listdir(dist) if f.endswith(".whl")]
    venv = base / "venv"
    run([sys.executable, "-m", "venv", str(venv)], base, env)  # a plain venv: none of this interpreter's packages
    pip = venv / "bin" / "pip"
    run([str(pip), "install", "--quiet", str(dist / wheel)], base, env, timeout=900)
    return venv / "bin", clean_env(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.mark.slow
def test_the_wheel_holds_the_package_and_the_scenarios_and_nothing_of_the_checkout(installed, tmp_path):
    bin_, env = installed
    where = run([str(bin_ / "python"), "-c", "import simnet, simnet.scenarios.streetlights as s, sys; "
                 "print(simnet.__file__); print(s.__file__); print(simnet.__version__); "
                 "print(any('wt-' in p or p == '' for p in sys.path[1:]))"], tmp_path, env).split()
    assert all(str(bin_.parent) in path for path in where[:2]), where
    assert os.path.realpath(ROOT) not in where[0]
    import simnet
    assert where[2] == simnet.__version__


@pytest.mark.slow
def test_simnet_run_streetlights_from_an_empty_folder_prints_the_checkouts_digits(installed, tmp_path):
    bin_, env = installed
    empty, reference = tmp_path / "empty", tmp_path / "reference"
    empty.mkdir()
    reference.mkdir()
    out = run([str(bin_ / "simnet"), "run", "streetlights"], empty, env)
    expected = run([sys.executable, os.path.join(ROOT, "scenarios", "streetlights.py")], reference,
                   {**clean_env(), "PYTHONPATH": ROOT})
    assert out == expected
    assert "50 Error = 0.00544" in out and "input [1 1 1]  prediction 0.000  goal 0  accuracy 100.0%" in out
    written = set(os.listdir(empty / "plots" / "streetlights"))
    # figures, their data, and the run's kept states with its record (run.json: what simnet fork reads)
    assert STREETLIGHTS_FIGURES <= written and all(f.endswith((".png", ".npz")) or f == "run.json"
                                                   for f in written), written
    again = tmp_path / "again"
    again.mkdir()
    assert run([str(bin_ / "python"), "-m", "simnet", "run", "streetlights", "--no-plots"], again, env) == \
        run([str(bin_ / "simnet"), "run", "streetlights", "--no-plots"], again, env)
    p = subprocess.run([str(bin_ / "simnet"), "run", "nosuch"], cwd=again, env=env, capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "no scenario 'nosuch'" in p.stderr


@pytest.mark.slow
@needs_mnist_full
@pytest.mark.parametrize("scenario, folder, figures", [
    ("mnist", "mnist", {"curves.png", "confusion.png", "network.png"}),
    ("cnn", "mnist_cnn", {"curves.png", "filters_conv1.png", "feature_maps.png"}),
])
def test_the_image_scenarios_train_on_500_images_from_simnet_data(installed, tmp_path, scenario, folder, figures):
    bin_, env = installed
    out = run([str(bin_ / "simnet"), "run", scenario, "--train-size", "500", "--epochs", "1"], tmp_path,
              {**env, "SIMNET_DATA": os.environ["SIMNET_DATA"]})
    assert "training on 500 of the 60,000 training images (drawn with --seed 0)" in out
    assert "MNIST: 500 training and 10,000 test images" in out and "after 1 epoch;" in out
    accuracy = float(next(line for line in out.splitlines() if line.startswith("test accuracy")).split()[2])
    assert (0.5 if scenario == "mnist" else 0.2) < accuracy <= 1.0, out  # chance: 0.1; the CNN took 3 steps
    assert figures <= set(os.listdir(tmp_path / "plots" / folder))


@pytest.mark.slow
def test_simnet_run_sweep_at_its_smallest(installed, tmp_path):
    bin_, env = installed
    out = run([str(bin_ / "simnet"), "run", "sweep", "--seeds", "0", "--workers", "1", "--no-progress"], tmp_path,
              env)  # the scenario swept is streetlights unless named
    assert "streetlights: 1 run (1 seed x 1 alpha x 1 hidden)" in out
    assert "seed    0  alpha 0.2  hidden 4: converged after 58 iterations (error 0.00077)" in out
    assert {"results.csv", "iterations.png"} <= set(os.listdir(tmp_path / "plots" / "sweep"))


@pytest.mark.slow
def test_the_scripts_that_docs_name_answer_help(tmp_path):
    """The benchmarks and docs scripts the pages show (tests/test_docs.py checks they exist) start."""
    for script in ("docs/make_scenarios.py",):
        assert os.path.isfile(os.path.join(ROOT, script))
    for script in sorted(os.listdir(os.path.join(ROOT, "benchmarks"))):
        if script.endswith(".py"):
            run([sys.executable, os.path.join(ROOT, "benchmarks", script), "--help"], tmp_path,
                {**clean_env(), "PYTHONPATH": ROOT}, timeout=120)
