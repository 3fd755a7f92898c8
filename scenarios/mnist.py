"""MNIST (or Fashion-MNIST) on the same explicit-neuron layers as streetlights.

The classic "flatten, dense 128 relu, dense 10 softmax" network: 784 input
neurons (one per pixel), a hidden layer, 10 softmax outputs, cross-entropy,
mini-batches, Adam.  Each epoch shows a progress bar and ends with a summary
line; at the end the test accuracy, the time it took and the figures.
Run ``python scenarios/mnist.py --help`` for the options.
"""
import argparse
import os
import sys

from simnet import Network
from simnet.cli import image_arguments, layer_sizes
from simnet.datasets import DATASETS, ChecksumError, DatasetNotFoundError, load_for_training
from simnet.explorer.server import add_live_argument, serve
from simnet.interrupt import EXIT_INTERRUPTED
from simnet.optimizers import get_optimizer
from simnet.persistence import load_network, save_network
from simnet.training import train_epochs

DEFAULTS = {"epochs": 20, "batch_size": 64, "lr": 0.002, "lr_decay": 0.85, "optimizer": "adam"}


def parse_args(argv=None, dataset="mnist"):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    check = image_arguments(p, dataset, DEFAULTS)
    p.add_argument("--hidden", type=layer_sizes, default=[128], help="hidden layer sizes, comma separated (128)")
    p.add_argument("--activation", default="relu", choices=["relu", "leaky_relu", "sigmoid", "tanh"],
                   help="activation of the hidden layers (relu)")
    add_live_argument(p)
    args = check(p.parse_args(argv))
    args.plots = args.plots or os.path.join("plots", args.dataset.replace("-", "_"))
    return args


def main(argv=None, dataset="mnist"):
    args = parse_args(argv, dataset)
    spec = DATASETS[args.dataset]

    # The data: uint8 images and labels, turned into inputs in [0, 1] and one-hot goals.
    try:
        data, x_train, y_train, x_test, y_test = load_for_training(
            args.dataset, args.data, not args.no_download, args.train_size, args.seed, args.dtype)
    except (DatasetNotFoundError, ChecksumError, ValueError) as e:  # missing, failed download, malformed file
        print(f"error: {e}", file=sys.stderr)
        return 2
    if data.info["note"]:
        print(f"NOTE: {data.info['note']}")
    print(f"{spec.title}: {len(x_train):,} training and {len(x_test):,} test images")

    # The network: 784 -> hidden -> 10, built output first with its own seeded generator (or loaded).
    if args.load:
        network, optimizer, saved = load_network(args.load)
        first_epoch = saved.get("epochs", 0)
        print(f"loaded {network!r} from {args.load} (trained {first_epoch} epochs)")
    else:
        network = Network.build([784, *args.hidden, 10], activations=[args.activation] * len(args.hidden) +
                                ["softmax"], bias=True, init="he" if "relu" in args.activation else "glorot",
                                seed=args.seed, dtype=args.dtype, loss="cross_entropy")
        optimizer, first_epoch = None, 0
    if optimizer is None or not args.load:
        optimizer = get_optimizer(args.optimizer, args.lr)
    bound = network.record_summaries(every=max(1, 6400 // args.batch_size))  # every 6,400 samples
    print(f"{network!r}, {args.optimizer} lr {args.lr} (x{args.lr_decay}/epoch), batch {args.batch_size}; "
          f"history bounded at {bound / 2**20:.1f} MiB")

    live = serve(args.live, network, args.live_host, title=spec.title, image_shape=(28, 28),  # --live: the explorer
                 class_names=list(spec.class_names))

    # Train: every epoch is one shuffled pass in mini-batches, then a test.
    run = train_epochs(network, optimizer, x_train, y_train, x_test, y_test, args.epochs, args.batch_size,
                       args.lr, args.lr_decay, first_epoch, args.on_divergence)

    if live:
        live.finish()
    test_loss, test_accuracy, predicted = network.evaluate(x_test, y_test)
    print(f"test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}) on {len(x_test):,} {spec.title} test images "
          f"after {run.epochs} epochs; training took {run.seconds:.1f}s")

    info = {"dataset": args.dataset, "epochs": run.epochs, "test_accuracy": test_accuracy,
            "stopped": "interrupted" if run.interrupted else "diverged" if run.diverged else None,
            "note": data.info["note"], "class_names": list(spec.class_names)}
    if args.save:
        save_network(args.save, network, optimizer, info)
        print(f"saved the network and its history to {args.save}/")
    if not args.no_plots:
        from simnet.image_plots import plot_image_run  # plotting is only imported to draw

        paths = plot_image_run(network, data.test_images, data.test_labels, predicted, spec.class_names,
                               args.plots)
        print(f"wrote {len(paths)} figures to {args.plots}/")
    if run.interrupted:
        return EXIT_INTERRUPTED
    return 3 if run.diverged else 0


if __name__ == "__main__":
    sys.exit(main())
