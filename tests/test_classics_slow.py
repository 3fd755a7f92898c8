"""The published results, reproduced on full MNIST (slow tier: ``pytest -m slow``).

Each test runs one row of the README's "Published results, reproduced" table with the command
printed there and checks simnet's figure against a floor a little under the one measured.
They need MNIST's 60,000 training images (``SIMNET_DATA``, default ``../shared/datasets``).
"""
import pytest
from helpers import load_scenario, needs_mnist_full

pytestmark = [pytest.mark.slow, needs_mnist_full]

NIELSEN = ["--activation", "sigmoid", "--output", "sigmoid", "--optimizer", "sgd", "--lr-decay", "1", "--batch-size",
           "10", "--epochs", "30", "--validation", "10000", "--early-stop", "30", "--dtype", "float64", "--no-download",
           "--no-plots", "--seed", "0"]


def accuracy(out):
    line = next(li for li in out.splitlines() if li.startswith("test accuracy"))
    return float(line.split()[2])


def test_nielsen_chapter_1_784_30_10(capsys):
    """Sigmoid, quadratic cost, N(0,1), SGD eta 3.0, batch 10, 30 epochs on 50,000: the book's 95.42%."""
    argv = ["--hidden", "30", "--loss", "squared", "--init", "normal", "--lr", "3.0", *NIELSEN]
    assert load_scenario("mnist").main(argv) == 0
    out = capsys.readouterr().out
    assert "50,000 training, 10,000 validation" in out
    assert accuracy(out) >= 0.945


def test_nielsen_chapter_3_l2_784_30_10(capsys):
    """Cross-entropy, N(0,1), eta 0.5, L2 lambda 5.0 over n = 50,000, 30 epochs: the book's 96.49%."""
    argv = ["--hidden", "30", "--loss", "cross-entropy", "--init", "normal", "--lr", "0.5", "--l2", "5.0", *NIELSEN]
    assert load_scenario("mnist").main(argv) == 0
    out = capsys.readouterr().out
    assert "L2 5 (weights x(1 - lr*5/50,000) a step)" in out
    assert accuracy(out) >= 0.955


def test_larger_cnn_on_full_mnist(capsys):
    """The Keras "larger CNN", 10 epochs on 60,000 images: at most 1.0% test error."""
    assert load_scenario("mnist_cnn").main(["--dataset", "mnist", "--no-download", "--no-plots"]) == 0
    assert accuracy(capsys.readouterr().out) >= 0.990
