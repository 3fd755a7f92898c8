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
import time

import numpy as np
from tqdm import tqdm

from simnet import DivergenceError, History, Network, StopOnInterrupt
from simnet.datasets import DATASETS, ChecksumError, DatasetNotFoundError, load_train_test, one_hot, to_inputs
from simnet.optimizers import get_optimizer
from simnet.cli import layer_sizes
from simnet.interrupt import EXIT_INTERRUPTED
from simnet.persistence import load_network, save_network

DEFAULTS = {"epochs": 20, "batch_size": 64, "lr": 0.002, "lr_decay": 0.85, "optimizer": "adam"}


def parse_args(argv=None, dataset="mnist"):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default=dataset, choices=sorted(DATASETS), help=f"data set (default {dataset})")
    p.add_argument("--data", help="folder holding the IDX .gz files (searched first)")
    p.add_argument("--no-download", action="store_true", help="never download; use local files only")
    p.add_argument("--hidden", type=layer_sizes, default=[128], help="hidden layer sizes, comma separated (128)")
    p.add_argument("--activation", default="relu", choices=["relu", "leaky_relu", "sigmoid", "tanh"],
                   help="activation of the hidden layers (relu)")
    p.add_argument("--optimizer", default=DEFAULTS["optimizer"], choices=["sgd", "momentum", "adam"])
    p.add_argument("--lr", type=float, default=DEFAULTS["lr"], help=f"learning rate ({DEFAULTS['lr']})")
    p.add_argument("--lr-decay", type=float, default=DEFAULTS["lr_decay"],
                   help=f"learning rate factor per epoch ({DEFAULTS['lr_decay']})")
    p.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"], help="samples per step (64)")
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"], help="passes over the training set (20)")
    p.add_argument("--seed", type=int, default=0, help="seed of the network's generator (weights, shuffling)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--train-size", type=int, default=8000,
                   help="offline MNIST only: test-set images used for training (8000; the rest test)")
    p.add_argument("--plots", help="folder for the figures (default plots/<dataset>)")
    p.add_argument("--no-plots", action="store_true", help="write no figures")
    p.add_argument("--save", help="folder to save the trained network and its history into")
    p.add_argument("--load", help="folder of a saved network: evaluate it (--epochs 0) or train it further")
    p.add_argument("--on-divergence", choices=["stop", "raise"], default="stop",
                   help="when the loss becomes NaN or infinite: stop and keep the history (default), or raise")
    args = p.parse_args(argv)
    for name in ("lr", "lr_decay"):
        value = getattr(args, name)
        if not (np.isfinite(value) and value > 0):
            p.error(f"--{name.replace('_', '-')} must be a positive finite number, got {value}")
    if args.batch_size < 1:
        p.error(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.train_size < 1:
        p.error(f"--train-size must be at least 1, got {args.train_size}")
    if args.epochs < 0:
        p.error(f"--epochs must be 0 or more, got {args.epochs}")
    args.plots = args.plots or os.path.join("plots", args.dataset.replace("-", "_"))
    return args


def main(argv=None, dataset="mnist"):
    args = parse_args(argv, dataset)
    spec = DATASETS[args.dataset]

    # The data: uint8 images and labels, turned into inputs in [0, 1] and one-hot goals.
    try:
        data = load_train_test(args.dataset, path=args.data, download=not args.no_download,
                               allow_test_split=args.dataset == "mnist", train_size=args.train_size,
                               seed=args.seed)
    except (DatasetNotFoundError, ChecksumError, ValueError) as e:  # missing, failed download, malformed file
        print(f"error: {e}", file=sys.stderr)
        return 2
    if data.info["note"]:
        print(f"NOTE: {data.info['note']}")
    dtype = np.dtype(args.dtype)
    x_train, x_test = to_inputs(data.train_images, dtype), to_inputs(data.test_images, dtype)
    y_train, y_test = one_hot(data.train_labels, dtype=dtype), one_hot(data.test_labels, dtype=dtype)
    print(f"{spec.title}: {len(x_train):,} training and {len(x_test):,} test images")

    # The network: 784 -> hidden -> 10, built output first with its own seeded generator.
    if args.load:
        network, optimizer, saved = load_network(args.load)
        first_epoch = saved.get("epochs", 0)
        print(f"loaded {network!r} from {args.load} (trained {first_epoch} epochs)")
    else:
        network = Network.build([784, *args.hidden, 10], activations=[args.activation] * len(args.hidden) +
                                ["softmax"], bias=True, init="he" if "relu" in args.activation else "glorot",
                                seed=args.seed, dtype=dtype, loss="cross_entropy")
        optimizer, first_epoch = None, 0
    if optimizer is None or not args.load:
        optimizer = get_optimizer(args.optimizer, args.lr)
    bound = network.record_summaries(every=max(1, 6400 // args.batch_size))  # every 6,400 samples
    print(f"{network!r}, {args.optimizer} lr {args.lr} (x{args.lr_decay}/epoch), batch {args.batch_size}; "
          f"history bounded at {bound / 2**20:.1f} MiB")
    curves = {name: network.histories.setdefault(f"epoch/{name}", History((), name=f"epoch/{name}"))
              for name in ("train_loss", "train_accuracy", "test_loss", "test_accuracy")}

    # Train: every epoch is one shuffled pass in mini-batches, then a test.
    # Ctrl-C stops after the current batch; a NaN or infinite loss stops the run.
    batches = -(-len(x_train) // args.batch_size)
    started = time.perf_counter()
    epochs_done, diverged = first_epoch, None
    with StopOnInterrupt() as stop, np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(first_epoch, first_epoch + args.epochs):
            optimizer.alpha = args.lr * args.lr_decay ** epoch
            bar = tqdm(total=batches, desc=f"epoch {epoch + 1}", unit="batch", leave=False, mininterval=0.5)

            def progress(b, loss, accuracy):
                if b % 50 == 49 or b == batches - 1:
                    bar.update(b + 1 - bar.n)
                    bar.set_postfix(loss=f"{loss:.4f}", acc=f"{accuracy:.4f}", refresh=False)

            t0 = time.perf_counter()
            try:
                train_loss, train_accuracy = network.train_epoch(x_train, y_train, optimizer, args.batch_size,
                                                                 progress=progress, stop=stop)
            except DivergenceError as e:
                if args.on_divergence == "raise":
                    raise
                diverged = e
                break
            finally:
                bar.close()
            if stop.requested:
                break  # a partial epoch is not an epoch: its figures are not recorded
            seconds = time.perf_counter() - t0
            test_loss, test_accuracy, _ = network.evaluate(x_test, y_test)
            for name, value in (("train_loss", train_loss), ("train_accuracy", train_accuracy),
                                ("test_loss", test_loss), ("test_accuracy", test_accuracy)):
                curves[name].offer(epoch + 1, value)
            epochs_done = epoch + 1
            print(f"epoch {epoch + 1}: loss {train_loss:.4f} accuracy {train_accuracy:.4f} | "
                  f"test loss {test_loss:.4f} accuracy {test_accuracy:.4f} | {seconds:.1f}s")
    training_seconds = time.perf_counter() - started
    if diverged is None:
        network.close_histories()
    if stop.requested:
        print(f"interrupted (Ctrl-C) during epoch {epochs_done + 1}; keeping {epochs_done} finished epochs")
    if diverged is not None:
        print(f"DIVERGED in epoch {epochs_done + 1}: {diverged}; the history up to the last finite step is kept")

    test_loss, test_accuracy, predicted = network.evaluate(x_test, y_test)
    print(f"test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}) on {len(x_test):,} {spec.title} test images "
          f"after {epochs_done} epochs; training took {training_seconds:.1f}s")

    info = {"dataset": args.dataset, "epochs": epochs_done, "test_accuracy": test_accuracy,
            "stopped": "interrupted" if stop.requested else "diverged" if diverged else None,
            "note": data.info["note"], "class_names": list(spec.class_names)}
    if args.save:
        save_network(args.save, network, optimizer, info)
        print(f"saved the network and its history to {args.save}/")
    if not args.no_plots:
        from simnet.image_plots import plot_image_run  # plotting is only imported to draw

        paths = plot_image_run(network, data.test_images, data.test_labels, predicted, spec.class_names,
                               args.plots)
        print(f"wrote {len(paths)} figures to {args.plots}/")
    if stop.requested:
        return EXIT_INTERRUPTED
    return 3 if diverged is not None else 0


if __name__ == "__main__":
    sys.exit(main())
