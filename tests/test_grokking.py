"""Grokking Deep Learning, chapters 8-14 (scenarios/grokking.py): the book's printed lines, to the digit.

The default tier checks each chapter on its first iterations (the book's first lines); the slow tier
runs the whole chapters.  Chapter 12's book printout is not repeatable (its vocabulary comes from a
Python set), so the run's own trajectory, with a sorted vocabulary, is held here.
"""
import os

import numpy as np
import pytest
from helpers import ROOT, load_scenario, needs_mnist_full

grokking = load_scenario("grokking")
needs_babi = pytest.mark.skipif(not os.path.isfile(os.path.join(os.environ["SIMNET_DATA"], "babi-qa1",
                                                                "qa1_single-supporting-fact_train.txt")),
                                reason="bAbI task 1 not found (see ../shared/datasets/README.md)")


def book_lines(variant):
    """The chapter 8 notebook's printed lines of one cell (tests/data/grokking_chapter8.txt)."""
    with open(os.path.join(ROOT, "tests", "data", "grokking_chapter8.txt")) as f:
        text = f.read()
    section = text.split(f"[{variant}]\n", 1)[1].split("\n[", 1)[0]
    return section.rstrip("\n").split("\n")


def run(capsys, *argv):
    assert grokking.main([*argv, "--no-plots"]) == 0
    return capsys.readouterr().out


CHAPTER14 = """Activations
[0.93940638 0.96852968]
[0.9919462  0.99121735]
[0.99301385 0.99302901]
[0.9930713  0.99307098]
[0.99307285 0.99307285]
[0.99307291 0.99307291]
[0.99307291 0.99307291]
[0.99307291 0.99307291]
[0.99307291 0.99307291]
[0.99307291 0.99307291]

Gradients
[0.03439552 0.03439552]
[0.00118305 0.00118305]
[4.06916726e-05 4.06916726e-05]
[1.39961115e-06 1.39961115e-06]
[4.81403643e-08 4.81403637e-08]
[1.65582672e-09 1.65582765e-09]
[5.69682675e-11 5.69667160e-11]
[1.97259346e-12 1.97517920e-12]
[8.45387597e-14 8.02306381e-14]
[1.45938177e-14 2.16938983e-14]
Relu Activations
[4.8135251  4.72615519]
[23.71814585 23.98025559]
[119.63916823 118.852839  ]
[595.05052421 597.40951192]
[2984.68857188 2977.61160877]
[14895.13500696 14916.36589628]
[74560.59859209 74496.90592414]
[372548.22228863 372739.30029248]
[1863505.42345854 1862932.18944699]
[9315234.18124649 9316953.88328115]

Relu Gradients
[5. 5.]
[25. 25.]
[125. 125.]
[625. 625.]
[3125. 3125.]
[15625. 15625.]
[78125. 78125.]
[390625. 390625.]
[1953125. 1953125.]
[9765625. 9765625.]
"""


def test_chapter14_prints_the_notebook_exactly(capsys):
    """Sigmoid: the gradient vanishes; relu from the first sigmoid activation (a fresh run of all cells): it explodes.
    The saved notebook's relu cell is a second run, which starts one step later: from [4.8135251 4.72615519],
    its first line [23.71814585 23.98025559] is the second line here."""
    assert run(capsys, "--chapter", "14") == CHAPTER14


def test_chapter14_figure_shows_each_step():
    import matplotlib.pyplot as plt

    from simnet.plots import plot_sequence

    layer = grokking.run_chapter14_layer("sigmoid", [1, 0.01])
    fig = plot_sequence(layer.states, layer.state_gradients, layer.name)
    top, bottom = fig.axes
    assert [line.get_label() for line in top.get_lines()] == ["state[0]", "state[1]"]
    assert np.array_equal(top.get_lines()[0].get_ydata(), layer.states[:, 0])  # 11 states: the start and 10 steps
    size = bottom.get_lines()[-1]
    assert bottom.get_yscale() == "log" and size.get_label() == "largest |gradient| reaching the state"
    assert np.allclose(size.get_ydata(), np.abs(layer.state_gradients).max(axis=1))
    assert size.get_ydata()[0] < 1e-13 and size.get_ydata()[-1] > 1e-2  # vanished by the first step
    plt.close(fig)
    wide = plot_sequence(np.random.default_rng(0).normal(size=(6, 40)), np.ones((5, 40)), "wide")
    assert len(wide.axes[0].get_images()) == 1  # more than 12 neurons: one row each in a heat map
    plt.close(wide)


@pytest.mark.slow
def test_chapter14_writes_its_figures_and_pages(tmp_path):
    from matplotlib.image import imread

    assert grokking.main(["--chapter", "14", "--plots", str(tmp_path)]) == 0
    assert sorted(os.listdir(tmp_path)) == ["chapter14_relu.html", "chapter14_relu.png", "chapter14_sigmoid.html",
                                            "chapter14_sigmoid.png"]
    assert imread(tmp_path / "chapter14_sigmoid.png").shape[2] in (3, 4)
    assert "|gradient| per step" in (tmp_path / "chapter14_relu.html").read_text()


def test_chapter14_explorer_page_steps_through_the_sequence():
    from simnet.explorer.export import page_data
    from simnet.sequence import sequence_histories

    layer = grokking.run_chapter14_layer("relu", [0.93940638, 0.96852968])
    info = {"network": {"layers": [{"name": "state", "num_neurons": 2, "activation": "relu"}]}}
    data = page_data(sequence_histories(layer), info, title="chapter 14")
    [neurons] = [s for s in data["series"] if s["variable"] == "neurons"]
    assert neurons["layer"] == "state" and neurons["t"] == list(range(1, 12))  # one frame per state
    assert neurons["v"][1] == [4.81353, 4.72616]
    [curve] = data["curves"]
    assert curve["name"] == "|gradient| per step"
    assert curve["y"][::-1] == pytest.approx([5.0 ** k for k in range(1, 11)], rel=1e-5)  # 6 digits on the page


def test_chapter14_as_the_saved_notebook_shows_it(capsys):
    lines = run(capsys, "--chapter", "14", "--notebook", "saved").split("\n")
    relu = lines[lines.index("Relu Activations") + 1:lines.index("Relu Activations") + 11]
    assert relu[0] == "[23.71814585 23.98025559]" and relu[1] == "[119.63916823 118.852839  ]"
    assert relu[-1] == "[46583049.71437107 46577890.60826711]"
    assert lines[-2] == "[9765625. 9765625.]"


def test_chapter14_gradient_per_step_is_the_layers_own():
    layer = grokking.run_chapter14_layer("sigmoid", [1, 0.01])
    sizes = np.abs(layer.state_gradients).max(axis=1)
    assert np.all(np.diff(sizes) > 0)  # the gradient reaching earlier steps is smaller: it vanishes
    assert layer.states.shape == (11, 2) and np.array_equal(layer.states[1:], layer.neuron_row_array)
    relu = grokking.run_chapter14_layer("relu", layer.neuron_row_array[0])
    assert np.array_equal(relu.state_gradients[:, 0], 5.0 ** np.arange(10, 0, -1))


@needs_mnist_full
def test_chapter8_first_lines(capsys):
    assert run(capsys, "--chapter", "8", "--iterations", "1").split("\n")[:-1] == book_lines("plain")[:1]


@needs_mnist_full
def test_chapter9_first_line(capsys):
    assert run(capsys, "--chapter", "9", "--iterations", "1") == "\nI:0 Test-Acc:0.394 Train-Acc:0.156\n"


@pytest.mark.slow  # its test pass convolves 10,000 images: several seconds
@needs_mnist_full
def test_chapter10_first_line(capsys):
    assert run(capsys, "--chapter", "10", "--iterations", "1") == "\nI:0 Test-Acc:0.0288 Train-Acc:0.055\n"


@needs_babi
def test_chapter12_first_perplexity(capsys):
    out = run(capsys, "--chapter", "12", "--iterations", "1")
    assert out == "Perplexity:81.94009027613271\n"


def test_corrected_names_what_it_corrects(capsys):
    out = run(capsys, "--chapter", "14", "--corrected")
    assert out.startswith("corrected: nothing to correct in this chapter\n")


def test_variant_is_chapter_8s(capsys):
    assert grokking.main(["--chapter", "9", "--variant", "batch"]) == 2
    err = capsys.readouterr().err
    assert err == "error: --variant is chapter 8's (plain, dropout, batch); chapter 9 has none\n"


def test_missing_babi_is_one_line_naming_the_places(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SIMNET_DATA", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert grokking.main(["--chapter", "12", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "qa1_single-supporting-fact_train.txt not found" in err
    assert f"{tmp_path}/babi-qa1" in err


def test_simnet_run_knows_grokking():
    from simnet.runs.registry import SCENARIOS

    assert SCENARIOS["grokking"].load() is grokking.main or SCENARIOS["grokking"].load().__name__ == "main"


# ---- the whole chapters (slow) -------------------------------------------------------------------
@pytest.mark.slow
@needs_mnist_full
@pytest.mark.parametrize("variant", ["plain", "dropout", "batch"])
def test_chapter8_whole(capsys, variant):
    out = run(capsys, "--chapter", "8", "--variant", variant)
    assert out.rstrip("\n").split("\n") == book_lines(variant)


@pytest.mark.slow
@needs_mnist_full
def test_chapter9_whole(capsys):
    lines = run(capsys, "--chapter", "9").split("\n")
    assert lines[1] == "I:0 Test-Acc:0.394 Train-Acc:0.156"
    assert lines[2] == "I:10 Test-Acc:0.6867 Train-Acc:0.723"
    assert lines[-2] == "I:290 Test-Acc:0.8701 Train-Acc:0.94"
    assert len(lines) == 32


CHAPTER10 = {0: "0.0288 Train-Acc:0.055", 1: "0.0273 Train-Acc:0.037", 2: "0.028 Train-Acc:0.037",
             16: "0.2222 Train-Acc:0.243", 19: "0.0127 Train-Acc:0.026", 50: "0.4202 Train-Acc:0.21",
             100: "0.8511 Train-Acc:0.737", 150: "0.873 Train-Acc:0.785", 200: "0.8776 Train-Acc:0.792",
             250: "0.8786 Train-Acc:0.808", 298: "0.8774 Train-Acc:0.804", 299: "0.8774 Train-Acc:0.814"}


@pytest.mark.slow
@needs_mnist_full
def test_chapter10_whole(capsys):
    lines = run(capsys, "--chapter", "10").split("\n")[1:-1]
    assert len(lines) == 300
    for i, tail in CHAPTER10.items():
        assert lines[i] == f"I:{i} Test-Acc:{tail}"


@pytest.mark.slow
@needs_babi
def test_chapter12_whole(capsys):
    lines = run(capsys, "--chapter", "12").split("\n")[:-1]
    assert len(lines) == 30
    values = [float(line.split(":")[1]) for line in lines]
    assert lines[0] == "Perplexity:81.94009027613271"
    assert lines[-1] == "Perplexity:4.192771209619761"
    assert 3.5 < values[-1] < 4.5 and values[0] > 80


@pytest.mark.slow
@needs_mnist_full
def test_chapter8_corrected_derivative_first_lines(capsys):
    """relu's derivative 'output > 0' (the book's comment) instead of its code's 'output >= 0'."""
    lines = run(capsys, "--chapter", "8", "--corrected", "--iterations", "11").split("\n")
    assert lines[0] == "corrected: relu-derivative"
    assert lines[1] == " I:0 Train-Err:0.729 Train-Acc:0.527 Test-Err:0.593 Test-Acc:0.6493"
    assert lines[2] == " I:10 Train-Err:0.198 Train-Acc:0.94 Test-Err:0.321 Test-Acc:0.8559"


@pytest.mark.slow
@needs_babi
def test_chapter12_corrected_is_backpropagation_through_time(capsys):
    lines = run(capsys, "--chapter", "12", "--corrected").split("\n")[:-1]
    assert lines[0] == "corrected: bptt-offsets"
    assert lines[1] == "Perplexity:81.94009027613271"  # the same start: only the updates differ
    assert lines[-1] == "Perplexity:4.146530458404421"


def test_babi_is_found_where_every_data_set_is(tmp_path, monkeypatch):
    from simnet.data import find_babi
    from simnet.data.registry import TEXT_DATASETS

    name = TEXT_DATASETS["babi-qa1"].files["train"]
    (tmp_path / "mine" / "babi-qa1").mkdir(parents=True)
    (tmp_path / "mine" / "babi-qa1" / name).write_text("1 Mary moved to the bathroom.\n")
    assert find_babi("train", path=tmp_path / "mine") == tmp_path / "mine" / "babi-qa1" / name  # --data first
    monkeypatch.setenv("SIMNET_DATA", str(tmp_path / "mine"))
    assert find_babi("train") == tmp_path / "mine" / "babi-qa1" / name  # then $SIMNET_DATA/babi-qa1


@pytest.mark.slow
@needs_babi
def test_ctrl_c_ends_after_the_step_and_keeps_the_lines(tmp_path):
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "scenarios", "grokking.py"), "--chapter", "12",
                             "--no-plots"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": ROOT}, cwd=tmp_path)
    first = proc.stdout.readline()
    assert first.startswith("Perplexity:81.94")
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    lines = (first + rest).rstrip("\n").split("\n")
    assert lines[-1] == "interrupted (Ctrl-C): the lines above are the iterations that finished"
    assert all(line.startswith("Perplexity:") for line in lines[:-2]) and len(lines) < 32
