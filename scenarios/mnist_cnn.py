"""MNIST (or Fashion-MNIST) on a convolutional network of explicit neuron maps: the Keras "larger CNN".

    image 1x28x28 -> conv1 30 filters 5x5 relu -> pool1 2x2 -> conv2 15 filters 3x3 relu -> pool2 2x2
    -> dropout 0.2 -> flatten -> dense1 128 relu -> dense2 50 relu -> output 10 softmax

Cross-entropy, Adam, mini-batches; every layer is a linked layer object whose
neurons (maps for the convolutional part) you can look at.  Each epoch shows a
progress bar and ends with a summary line; at the end the test accuracy, the
time it took and the figures (learned filters, feature maps of one test image,
curves, confusion matrix, the network as blocks).
Run ``simnet run cnn --help`` (or ``python scenarios/mnist_cnn.py --help``) for the options.
"""
import sys

import numpy as np

from simnet.data import DATASETS
from simnet.epochs import run_epochs
from simnet.explorer.server import add_live_argument, serve
from simnet.image_networks import build_cnn
from simnet.optimizers import get_optimizer
from simnet.interrupt import deferred
from simnet.runs import ArgumentParser, UsageError, entry_point
from simnet.runs.destinations import check_destinations
from simnet.runs.fork import fork_arguments
from simnet.runs.image_runs import (
    apply_init_weights,
    apply_l2,
    default_history,
    finish,
    page_fork,
    load_data,
    load_saved,
    run_info,
    split_validation,
    start_states,
)
from simnet.runs.memory import batch_bytes, check_memory
from simnet.runs.options import (
    check_loaded_dtype,
    continue_schedule,
    declare_watchpoints,
    image_arguments,
    watch_arguments,
)
from simnet.words import plural

# Keras uses Adam at a constant 0.001; on Fashion-MNIST (seed 0, 10 epochs) that reaches 0.906 here, and
# 0.003 decayed by 0.9 per epoch reaches 0.912 (0.002 x0.85: 0.911, 0.003 x0.8: 0.910, 0.004 x0.85: 0.908).
DEFAULTS = {"epochs": 10, "batch_size": 200, "lr": 0.003, "lr_decay": 0.9, "optimizer": "adam"}


def parse_args(argv=None, dataset="mnist"):
    p = ArgumentParser(description=__doc__.splitlines()[0])
    check = image_arguments(p, dataset, DEFAULTS, plots="plots/{dataset}_cnn")
    p.add_argument("--image", type=int, default=0, help="test image whose feature maps are drawn")
    add_live_argument(p, unit="batch")
    watch_arguments(p)  # --pause-when, --break-when: stop at the step where something happens
    fork_arguments(p)  # --resume-state, --resume-at, --edit: what `simnet fork` starts a run with
    return check(p.parse_args(argv))


@entry_point
def main(argv=None, dataset="mnist"):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv, dataset)
    spec = DATASETS[args.dataset]
    check_destinations(args)  # --save and --plots created and probed before anything runs

    # A saved network to continue: checked against the options before any data is read.
    if args.load:
        network, optimizer, saved = load_saved(args, check_loaded_dtype)

    # The data: uint8 images and labels, turned into inputs in [0, 1] and one-hot goals;
    # one row of 784 pixels per image: the input layer sees it as a 1 x 28 x 28 map.
    data, x_train, y_train, x_test, y_test = load_data(args)
    if not 0 <= args.image < len(data.test_images):
        raise UsageError(f"--image must be in 0..{len(data.test_images) - 1}, got {args.image}")
    x_train, y_train, x_val, y_val = split_validation(args, spec.title, x_train, y_train, x_test)  # --validation

    # The network (simnet/image_networks.py), built input first with its own seeded generator (or loaded).
    if args.load:
        first_epoch = saved.get("epochs", 0)
        optimizer, words = continue_schedule(args, optimizer, saved)
        print(f"loaded {network!r} from {args.load} (trained {plural(first_epoch, 'epoch')}); {words}")
    else:
        network = build_cnn(args.seed, np.dtype(args.dtype))
        if args.init_weights:  # checked in full before any weight changes
            apply_init_weights(network, args.init_weights)
            print(f"initial weights and biases from {args.init_weights}")
        optimizer, first_epoch = get_optimizer(args.optimizer, args.lr), 0
    print(network.summary())
    check_memory(batch_bytes(network, min(args.batch_size, len(x_train))), f"a batch of {args.batch_size}",
                 "use a smaller --batch-size")  # refused before the first step, not killed in it
    l2 = apply_l2(args, optimizer, len(x_train), first_epoch)  # L2 over the images trained on (Nielsen's n)
    bound = default_history(network, args.batch_size)
    declare_watchpoints(args, network)
    epochs = args.epochs
    states, resume, forked_epoch = start_states(args, network, -(-len(x_train) // args.batch_size))  # (a fork)
    if forked_epoch is not None:
        first_epoch, epochs = forked_epoch, max(0, args.epochs - forked_epoch)
    print(f"{args.optimizer} lr {args.lr} (x{args.lr_decay}/epoch), batch {args.batch_size}{l2}; "
          f"history bounded at {bound / 2**20:.1f} MiB")

    record = argv if "--dataset" in argv else [*argv, "--dataset", args.dataset]  # what simnet fork runs again
    live = serve(args.live, network, args.live_host, title=spec.title, image_shape=(28, 28),  # --live: the explorer
                 class_names=list(spec.class_names), pace=args.pace, start_paused=True,  # Play starts it
                 fork=page_fork(args, states, network, "cnn", record))  # (with --save: Fork here, paused)

    # Train: every epoch is one shuffled pass in mini-batches (dropout on), then a test (dropout off).
    run = run_epochs(network, optimizer, x_train, y_train, x_test, y_test, epochs, args.batch_size,
                       args.lr, args.lr_decay, first_epoch, args.on_divergence, bar_every=10,
                       x_val=x_val, y_val=y_val, early_stop=args.early_stop, on_error="stop", resume=resume)

    with deferred():  # an interrupt from here on takes effect once the run is tested (and saved, below)
        if live:
            live.finish()
        test_loss, test_accuracy, predicted = network.evaluate(x_test, y_test)
        print(f"test accuracy {test_accuracy:.4f} (error {100 * (1 - test_accuracy):.2f}%, loss {test_loss:.4f}) on "
              f"{len(x_test):,} {spec.title} test images after {plural(run.epochs, 'epoch')}; training took {run.seconds:.1f}s")

        info = run_info(args, run, test_accuracy, data, spec)

    def draw(save_to):
        from simnet.plots.redraw import plot_cnn_run  # plotting is only imported to draw

        return plot_cnn_run(network, data.test_images, data.test_labels, predicted, spec.class_names,
                            args.plots, image_index=args.image, info={**info, "loaded_from": args.load},
                            save_to=save_to)

    return finish(args, run, network, optimizer, info, draw, states=states, scenario="cnn", argv=record)  # --save, the figures, the exit status


if __name__ == "__main__":
    sys.exit(main())
