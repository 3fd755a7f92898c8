"""MNIST (or Fashion-MNIST) on the same explicit-neuron layers as streetlights.

The classic "flatten, dense 128 relu, dense 10 softmax" network: 784 input
neurons (one per pixel), a hidden layer, 10 softmax outputs, cross-entropy,
mini-batches, Adam.  Each epoch shows a progress bar and ends with a summary
line; at the end the test accuracy, the time it took and the figures.
Run ``python scenarios/mnist.py --help`` for the options.

Nielsen's setups are options too, e.g. his chapter 1 network (sigmoid everywhere,
quadratic cost, weights and biases N(0, 1), SGD eta 3.0, mini-batches of 10, 30 epochs on
50,000 images with 10,000 held out)::

    simnet run mnist --hidden 30 --activation sigmoid --output sigmoid --loss squared \\
        --init normal --optimizer sgd --lr 3.0 --lr-decay 1 --batch-size 10 --epochs 30 --validation 10000
"""
import sys

from simnet.data import DATASETS
from simnet.epochs import run_epochs
from simnet.explorer.server import add_live_argument, serve
from simnet.image_networks import build_dense, default_init
from simnet.layer import INITS
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
from simnet.runs.memory import check_memory, dense_bytes
from simnet.runs.options import (
    check_loaded_dtype,
    continue_schedule,
    declare_watchpoints,
    format_sizes,
    hidden_sizes,
    image_arguments,
    watch_arguments,
)
from simnet.words import plural

DEFAULTS = {"epochs": 20, "batch_size": 64, "lr": 0.002, "lr_decay": 0.85, "optimizer": "adam"}
LOSSES = {"cross-entropy": "cross_entropy", "squared": "squared_error"}  # command line -> simnet.losses


def parse_args(argv=None, dataset="mnist"):
    p = ArgumentParser(description=__doc__.splitlines()[0])
    check = image_arguments(p, dataset, DEFAULTS, plots="plots/{dataset}")
    p.add_argument("--hidden", type=hidden_sizes, metavar="SIZES",
                   help="hidden layer sizes joined by '-': 128, or 128-64 for two hidden layers (default: 128)")
    p.add_argument("--activation", choices=["relu", "leaky_relu", "sigmoid", "tanh"],
                   help="activation of the hidden layers (default: relu)")
    p.add_argument("--output", choices=["softmax", "sigmoid"],
                   help="activation of the 10 output neurons (default: softmax; Nielsen's are sigmoid)")
    p.add_argument("--loss", choices=sorted(LOSSES),
                   help="cross-entropy (default; with sigmoid outputs the binary one summed over the outputs, "
                        "Nielsen's chapter 3) or squared (the quadratic cost, his chapter 1)")
    p.add_argument("--init", choices=INITS,
                   help="initial weights: he (default with relu), glorot (default otherwise), uniform, normal "
                        "(weights and biases N(0,1), Nielsen ch. 1) or scaled-normal (weights N(0,1/n_in), "
                        "biases N(0,1), his ch. 3)")
    add_live_argument(p, unit="batch")
    watch_arguments(p)  # --pause-when, --break-when: stop at the step where something happens
    fork_arguments(p)  # --resume-state, --resume-at, --edit: what `simnet fork` starts a run with
    args = check(p.parse_args(argv))
    args.explicit |= {name for name in ("hidden", "activation", "output", "loss") if getattr(args, name) is not None}
    if args.load and args.init:
        raise UsageError("--init draws new weights, --load brings saved ones: give one of them")
    args.hidden = args.hidden or [128]
    args.activation = args.activation or "relu"
    args.output = args.output or "softmax"
    args.loss = args.loss or "cross-entropy"
    return args


def check_loaded_network(args, network):
    """Options that describe the network must agree with a loaded one (or be left out)."""
    check_loaded_dtype(args, network)
    hidden = [la.num_neurons for la in network.layers[1:-1]]
    if "hidden" in args.explicit and args.hidden != hidden:
        raise ValueError(f"--hidden {format_sizes(args.hidden)} contradicts the loaded network, whose hidden "
                         f"layers have {format_sizes(hidden)} neurons; leave --hidden out to continue it")
    activation = str(network.layers[1].activation) if hidden else None
    if "activation" in args.explicit and args.activation != activation:
        raise ValueError(f"--activation {args.activation} contradicts the loaded network, whose hidden layers "
                         f"use {activation}; leave --activation out to continue it")
    output = str(network.output.activation)
    if "output" in args.explicit and args.output != output:
        raise ValueError(f"--output {args.output} contradicts the loaded network, whose outputs are {output}; "
                         f"leave --output out to continue it")
    loss = {v: k for k, v in LOSSES.items()}.get(str(network.output.loss))
    if "loss" in args.explicit and args.loss != loss:
        raise ValueError(f"--loss {args.loss} contradicts the loaded network, whose loss is {loss}; "
                         f"leave --loss out to continue it")


@entry_point
def main(argv=None, dataset="mnist"):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv, dataset)
    spec = DATASETS[args.dataset]
    check_destinations(args)  # --save and --plots created and probed before anything runs
    if not args.load:  # a network too large for memory is refused before any data is read
        check_memory(dense_bytes([784, *args.hidden, 10], args.dtype, args.batch_size),
                     f"a 784-{'-'.join(map(str, args.hidden))}-10 network in batches of {args.batch_size}",
                     "use a smaller --hidden or --batch-size")

    # A saved network to continue: checked against the options before any data is read.
    if args.load:
        network, optimizer, saved = load_saved(args, check_loaded_network)

    # The data: uint8 images and labels, turned into inputs in [0, 1] and one-hot goals.
    data, x_train, y_train, x_test, y_test = load_data(args)
    x_train, y_train, x_val, y_val = split_validation(args, spec.title, x_train, y_train, x_test)  # --validation

    # The network: 784 -> hidden -> 10, built output first with its own seeded generator (or loaded).
    if args.load:
        first_epoch = saved.get("epochs", 0)
        optimizer, words = continue_schedule(args, optimizer, saved)
        print(f"loaded {network!r} from {args.load} (trained {plural(first_epoch, 'epoch')}); {words}")
    else:
        network = build_dense(args.hidden, args.activation, args.seed, args.dtype, output=args.output,
                              loss=LOSSES[args.loss], init=args.init)
        if args.init_weights:  # checked in full before any weight changes
            apply_init_weights(network, args.init_weights)
            print(f"initial weights and biases from {args.init_weights}")
        else:
            print(f"initial weights: {args.init or default_init(args.activation)}; {args.output} outputs, "
                  f"{args.loss} loss")
        optimizer, first_epoch = get_optimizer(args.optimizer, args.lr), 0
    l2 = apply_l2(args, optimizer, len(x_train), first_epoch)  # L2 over the images trained on (Nielsen's n)
    bound = default_history(network, args.batch_size)
    declare_watchpoints(args, network)
    epochs = args.epochs
    states, resume, forked_epoch = start_states(args, network, -(-len(x_train) // args.batch_size))  # (a fork)
    if forked_epoch is not None:
        first_epoch, epochs = forked_epoch, max(0, args.epochs - forked_epoch)
    print(f"{network!r}, {args.optimizer} lr {args.lr} (x{args.lr_decay}/epoch), batch {args.batch_size}{l2}; "
          f"history bounded at {bound / 2**20:.1f} MiB")

    record = argv if "--dataset" in argv else [*argv, "--dataset", args.dataset]  # what simnet fork runs again
    live = serve(args.live, network, args.live_host, title=spec.title, image_shape=(28, 28),  # --live: the explorer
                 class_names=list(spec.class_names), pace=args.pace, start_paused=True,  # Play starts it
                 fork=page_fork(args, states, network, "mnist", record))  # (with --save: Fork here, paused)

    # Train: every epoch is one shuffled pass in mini-batches, then a test.
    run = run_epochs(network, optimizer, x_train, y_train, x_test, y_test, epochs, args.batch_size,
                       args.lr, args.lr_decay, first_epoch, args.on_divergence, x_val=x_val, y_val=y_val,
                       early_stop=args.early_stop, on_error="stop", resume=resume)

    with deferred():  # an interrupt from here on takes effect once the run is tested (and saved, below)
        if live:
            live.finish()
        test_loss, test_accuracy, predicted = network.evaluate(x_test, y_test)
        print(f"test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}) on {len(x_test):,} {spec.title} test images "
              f"after {plural(run.epochs, 'epoch')}; training took {run.seconds:.1f}s")

        info = run_info(args, run, test_accuracy, data, spec)

    def draw(save_to):
        from simnet.plots.redraw import plot_image_run  # plotting is only imported to draw

        return plot_image_run(network, data.test_images, data.test_labels, predicted, spec.class_names,
                              args.plots, info={**info, "loaded_from": args.load}, save_to=save_to)

    return finish(args, run, network, optimizer, info, draw, states=states, scenario="mnist", argv=record)  # --save, the figures, the exit status


if __name__ == "__main__":
    sys.exit(main())
