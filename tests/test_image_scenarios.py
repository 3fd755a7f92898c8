"""The image scenarios end to end on real data, and the figures they draw."""
import os

import numpy as np
import pytest
from helpers import have, load_scenario, needs_mnist_test, tiny_image_set

from simnet.plots.images import confusion_matrix, plot_confusion, plot_curves, plot_predictions, plot_weight_tiles


def trains_saves_and_loads(tmp_path, capsys, data_args, real, figures=True):
    """The dense image scenario for 2 epochs: at least 0.90 test accuracy, figures, a save that loads back."""
    model, plots = str(tmp_path / "model"), str(tmp_path / "plots")
    args = ["--epochs", "2", "--no-download", "--save", model, "--plots", plots, *data_args]
    if not figures:
        args.append("--no-plots")
    assert load_scenario("mnist").main(args) == 0
    out = capsys.readouterr().out
    if real and not have("mnist", "train"):
        assert "NOTE: MNIST training set not available" in out and "8,000 training and 2,000 test" in out
    assert "epoch 1: loss" in out and "epoch 2: loss" in out
    line = next(li for li in out.splitlines() if li.startswith("test accuracy"))
    accuracy = float(line.split()[2])
    assert accuracy >= 0.90
    expected = {"curves.png", "confusion.png", "predictions.png", "weight_tiles.png", "summaries.png",
                "network.png", "input_to_hidden_weights.png", "hidden_to_output_weights.png", "hidden_neurons.png",
                "output_neurons.png", "health.png"}  # health.png: the layer health the image scenarios record
    if figures:
        assert set(p for p in os.listdir(plots) if p.endswith(".png")) == expected
        # simnet plot draws every one of them again, from the plots folder or from the saved network's folder
        from simnet.cli import main as simnet_main
        for run in (plots, model):
            assert simnet_main(["plot", run, "--plots", str(tmp_path / "again")]) == 0
            printed = capsys.readouterr().out.split()
            assert set(map(os.path.basename, printed)) == expected
    assert {"network.json", "weights.npz", "history.npz"} <= set(os.listdir(model))
    # evaluate the saved network: the same accuracy, to every printed digit
    assert load_scenario("mnist").main(["--load", model, "--epochs", "0", "--no-download", "--no-plots", *data_args]) == 0
    again = capsys.readouterr().out
    assert f"test accuracy {accuracy:.4f}" in again and "trained 2 epochs" in again
    return out


def test_mnist_scenario_trains_saves_and_loads(tmp_path, capsys):
    """On a tiny learnable data set (600 / 200 images, --data): the whole path in a few seconds."""
    data = tiny_image_set(tmp_path / "data")
    # the figures (drawn, then redrawn by simnet plot from both folders) are checked by the slow tier's
    # real-data run, which takes the same path; here the training, saving and loading, in seconds
    out = trains_saves_and_loads(tmp_path, capsys, ["--data", str(data)], real=False, figures=False)
    assert "600 training and 200 test images" in out


@pytest.mark.slow
@needs_mnist_test
def test_mnist_scenario_trains_saves_and_loads_on_real_data(tmp_path, capsys):
    """2 epochs on 8,000 MNIST images (of the test set, offline) reach at least 0.90 on 2,000 others."""
    trains_saves_and_loads(tmp_path, capsys, ["--train-size", "8000"], real=True)


def test_scenario_refuses_bad_options(capsys):
    for argv in (["--lr", "0"], ["--lr", "inf"], ["--batch-size", "0"], ["--epochs", "-1"], ["--hidden", "12,a"]):
        assert load_scenario("mnist").main(argv) == 2


def test_image_figures_show_what_they_say():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 200)
    predicted = np.where(rng.random(200) < 0.8, labels, (labels + 1) % 10)
    m = confusion_matrix(labels, predicted)
    assert m.sum() == 200 and np.trace(m) == np.sum(labels == predicted)
    fig = plot_confusion(labels, predicted, [f"c{i}" for i in range(10)])
    assert (fig.matrix == m).all()
    assert f"accuracy {np.mean(labels == predicted):.4f}" in fig.axes[0].get_title()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [f"c{i}" for i in range(10)]

    images = rng.integers(0, 255, (9, 28, 28)).astype(np.uint8)
    fig = plot_predictions(images, labels[:9], predicted[:9], n=9)
    titles = [(ax.get_title(), ax.title.get_color()) for ax in fig.axes if ax.images]
    assert len(titles) == 9
    for (title, colour), y, p in zip(titles, labels[:9], predicted[:9]):
        assert (colour == "red") == (y != p)
        assert title == (f"{p} ({y})" if y != p else f"{p}")

    w0, w1 = rng.normal(size=(784, 20)), rng.normal(size=(784, 20))
    fig = plot_weight_tiles(w0, w1, max_tiles=16)
    tiles = [ax for ax in fig.axes if ax.images]
    assert len(tiles) == 32  # 16 initial and 16 final
    np.testing.assert_array_equal(tiles[16].images[0].get_array(), w1[:, 0].reshape(28, 28))

    fig = plot_curves([1, 2, 3], [0.9, 0.5, 0.4], [0.7, 0.8, 0.85], [1.0, 0.6, 0.5], [0.65, 0.75, 0.8])
    assert [len(ax.get_lines()) for ax in fig.axes] == [2, 2]
    assert fig.axes[1].get_lines()[1].get_ydata().tolist() == [0.65, 0.75, 0.8]
    assert all(float(t).is_integer() for ax in fig.axes for t in ax.get_xticks())
    fig = plot_curves([1], [0.9], [0.7], [1.0], [0.65])  # one epoch: one whole-number tick, not 0.945 ... 1.05
    assert [list(ax.get_xticks()) for ax in fig.axes] == [[1], [1]]


def test_a_save_folder_takes_the_next_save_of_the_same_run(tmp_path, capsys):
    """Train and save (with figures: figures.npz goes beside the save), then train again into the same
    --save, then continue it with --load X --save X: each save replaces the last, whatever the first run
    wrote beside it."""
    from simnet.saving import load_network

    data = tiny_image_set(tmp_path / "data", n_train=200, n_test=50)
    model = str(tmp_path / "model")
    common = ["--data", str(data), "--no-download", "--save", model]
    mnist = load_scenario("mnist")
    assert mnist.main(common + ["--hidden", "8", "--epochs", "1", "--plots", str(tmp_path / "plots")]) == 0
    assert sorted(os.listdir(model)) == ["figures.npz", "history.npz", "network.json", "run.json", "states.npz",
                                         "weights.npz"]  # (run.json and states.npz: what simnet fork starts from)
    assert mnist.main(common + ["--hidden", "8", "--epochs", "2", "--no-plots"]) == 0
    assert load_network(model)[2]["epochs"] == 2
    assert sorted(os.listdir(model)) == ["history.npz", "network.json", "run.json", "states.npz",
                                         "weights.npz"]  # the old figure data went
    assert mnist.main(common + ["--load", model, "--epochs", "1", "--no-plots"]) == 0
    assert load_network(model)[2]["epochs"] == 3
    assert "error" not in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["data", "model", "plots"]
