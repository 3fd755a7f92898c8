"""Regenerate every figure kind simnet draws, from real runs, into docs/gallery/ (see docs/gallery.md).

    PYTHONPATH=. MPLBACKEND=Agg python docs/make_gallery.py            # everything (a few minutes)
    python docs/make_gallery.py streetlights sweep                       # some of it

Runs, each into its own folder of docs/gallery/:

- ``streetlights``: the walk-through's 3-4-1 network, seed 0 (converges after 58 iterations);
- ``streetlights_seed1``: seed 1, which never converges (dead ReLUs), 1,000 iterations, thinned;
- ``streetlights_4_2``: the two-hidden-layer variant 3-4-2-1;
- ``streetlights_diverged``: alpha 1e200, which diverges in its first iteration;
- ``fashion_mnist``: the dense 784-128-10 network, 2 epochs on Fashion-MNIST;
- ``fashion_mnist_cnn``: the larger CNN, 1 epoch on a 6,000-image subset of Fashion-MNIST's training set
  (tested on 2,000 test images): a short run, to show the figures, not the accuracy;
- ``sweep``: 40 seeds x 2 learning rates of streetlights;
- ``forks``: ``simnet diff`` of a fork with one edited weight (or bias) against its original, for streetlights
  and for a Fashion-MNIST 784-128-10 run on 6,000 images (``docs/gallery/diff/``).

Every figure is drawn the way the scenario draws it, then drawn again from the saved files by
``python -m simnet plot`` to check that a saved run redraws completely.  The histories
(``*.npz``, a few MB) are removed afterwards: the gallery keeps the PNGs only.
"""
import contextlib
import glob
import io
import os
import runpy
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GALLERY = os.path.join(HERE, "gallery")
FASHION = "/usr/share/datasets/fashion-mnist"
sys.path.insert(0, ROOT)

import simnet.plots.common as common  # noqa: E402

common.DPI = 80  # small files: the gallery is committed


def scenario(name, argv):
    """Run ``scenarios/<name>.py`` with ``argv``, its output kept quiet; returns its exit code."""
    module = runpy.run_path(os.path.join(ROOT, "scenarios", f"{name}.py"))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return module["main"](argv)


def folder(name):
    path = os.path.join(GALLERY, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


def data_args():
    return ["--data", FASHION, "--no-download"] if os.path.isdir(FASHION) else []


def streetlights():
    runs = (("streetlights", []), ("streetlights_seed1", ["--seed", "1"]), ("streetlights_4_2", ["--hidden", "4-2"]),
            ("streetlights_diverged", ["--alpha", "1e200"]))
    for name, extra in runs:
        scenario("streetlights", [*extra, "--plots", folder(name)])
    return [name for name, _ in runs]


def fashion_mnist():
    assert scenario("mnist", ["--dataset", "fashion-mnist", "--epochs", "2", "--plots", folder("fashion_mnist"),
                              *data_args()]) == 0
    return ["fashion_mnist"]


def fashion_mnist_cnn(train=6000, test=2000):
    """One epoch of the larger CNN on a subset, drawn by the scenario's own figure function."""
    from simnet.data import DATASETS, load_for_training
    from simnet.epochs import run_epochs
    from simnet.image_networks import build_cnn
    from simnet.optimizers import get_optimizer
    from simnet.plots.redraw import plot_cnn_run

    data, x_train, y_train, x_test, y_test = load_for_training("fashion-mnist", FASHION if os.path.isdir(FASHION)
                                                               else None, download=False)
    network = build_cnn(0)
    network.record_summaries(every=5)
    network.record_health(every=5)  # as the scenario records it (simnet/runs/image_runs.default_history)
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        run_epochs(network, get_optimizer("adam", 0.003), x_train[:train], y_train[:train], x_test[:test],
                   y_test[:test], 1, 200, 0.003)
    _, accuracy, predicted = network.evaluate(x_test[:test], y_test[:test])
    info = {"dataset": "fashion-mnist", "epochs": 1, "test_accuracy": accuracy,
            "note": f"a short run for the gallery: 1 epoch on {train:,} training images, tested on {test:,}"}
    plot_cnn_run(network, data.test_images[:test], data.test_labels[:test], predicted,
                 DATASETS["fashion-mnist"].class_names, folder("fashion_mnist_cnn"), info=info)
    return ["fashion_mnist_cnn"]


def sweep():
    out = folder("sweep")
    assert scenario("sweep", ["streetlights", "--seeds", "0-39", "--alpha", "0.1,0.2", "--plots", out,
                              "--workers", "1", "--no-progress"]) == 0
    return ["sweep"]


def playground():
    """The spiral at noise 0, the command docs/playground.md documents (its maps/ folder left out: 21 small PNGs)."""
    out = folder("playground")
    assert scenario("playground", ["--data", "spiral", "--features", "x1", "x2", "sin(x1)", "sin(x2)", "--hidden",
                                   "8-8", "--epochs", "200", "--plots", out]) == 0
    shutil.rmtree(os.path.join(out, "maps"))
    return ["playground"]


def forks():
    """simnet diff of a fork with one edited weight against its original: streetlights (small) and a Fashion-MNIST
    784-128-10 run on 6,000 images (large); the figures go to docs/gallery/diff/ (no history is kept there)."""
    from simnet.cli import main as simnet_main

    out = folder("diff")
    work = os.path.join(out, "runs")
    quiet = (contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()))
    with quiet[0], quiet[1]:
        assert simnet_main(["run", "streetlights", "--plots", os.path.join(work, "streetlights")]) == 0
        assert simnet_main(["fork", os.path.join(work, "streetlights"), "--at", "40", "--edit",
                            "input.weights[1,2]=0.9", "--out", os.path.join(work, "streetlights_edited")]) == 0
        assert simnet_main(["run", "mnist", "--dataset", "fashion-mnist", "--train-size", "6000", "--epochs", "2",
                            "--save", os.path.join(work, "fashion"), "--no-plots", *data_args()]) == 0
        from simnet.rewind import state_steps

        at = max(s for s in state_steps(os.path.join(work, "fashion", "states.npz")) if s <= 100)  # a kept state
        assert simnet_main(["fork", os.path.join(work, "fashion"), "--at", str(at), "--edit", "hidden.bias[3]=2.0",
                            "--out", os.path.join(work, "fashion_edited")]) == 0
    for name, edited in (("streetlights", "streetlights_edited"), ("fashion", "fashion_edited")):
        with contextlib.redirect_stdout(io.StringIO()) as said:
            simnet_main(["diff", os.path.join(work, name), os.path.join(work, edited), "--plot",
                         os.path.join(out, f"{name}_diff.png")])
        print("  " + said.getvalue().replace("\n", "\n  ").rstrip())
    shutil.rmtree(work)
    return []  # (nothing for simnet plot to redraw: these figures are drawn by simnet diff)


RUNS = {"streetlights": streetlights, "playground": playground, "fashion_mnist": fashion_mnist, "fashion_mnist_cnn": fashion_mnist_cnn,
        "sweep": sweep, "forks": forks}


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:]) or list(RUNS)
    from simnet.plots.redraw import redraw

    made = []
    for name in names:
        print(f"{name} ...", flush=True)
        made += RUNS[name]()
    for run in (os.path.join(GALLERY, name) for name in made):
        drawn = sorted(glob.glob(os.path.join(run, "*.png")))
        again = redraw(run)  # from the saved files alone: the same figures again
        missing = sorted(set(map(os.path.basename, drawn)) - set(map(os.path.basename, again)))
        if missing:
            raise SystemExit(f"{run}: simnet plot did not redraw {missing}")
        for path in set(again) - set(drawn):  # a playground run redraws the walk-through's figures too: not kept
            os.remove(path)
        for path in (glob.glob(os.path.join(run, "*.npz")) + glob.glob(os.path.join(run, "*.csv"))
                     + glob.glob(os.path.join(run, "run.json"))):
            os.remove(path)
        print(f"  {os.path.relpath(run, ROOT)}: {len(drawn)} figures, "
              f"{sum(os.path.getsize(p) for p in drawn) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    np.seterr(all="warn")
    sys.exit(main())
