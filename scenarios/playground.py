"""TensorFlow Playground on simnet's explicit neurons: 2-D data, a decision map for every neuron.

Playground's knobs are options, with its defaults: the data set (circle, xor, gauss, spiral;
plane and multigauss for regression), noise 0-50 %, the share of points to train on, the input
features, the hidden layers, the activation, L1/L2 regularization and its rate, the learning
rate and batch size.  Past Playground: your own points (``--csv``, two classes, several classes
or regression), no limit on layers or neurons, ``--live`` in the explorer, ``--save``, and every
map exported (npz and PNG).  The data's definitions are in ``simnet/playground/data.py``.

    python scenarios/playground.py --data spiral --features x1 x2 "sin(x1)" "sin(x2)" --hidden 8-8

An *epoch* is Playground's step: one pass over the training points in their (shuffled) order, in
batches of ``--batch-size``, each batch one ``network.step`` (forward, ``calc_delta``, backward).
Loss is Playground's: the mean of 1/2 (output - label)^2 (cross-entropy for several classes).
"""
import argparse
import math
import os
import sys

import numpy as np

from simnet import History, StopOnInterrupt
from simnet.explorer.server import add_live_argument, serve
from simnet.network import DivergenceError, check_data
from simnet.optimizers import SGD
from simnet.playground.csvdata import CSVError, read_csv
from simnet.playground.data import DATASETS, check_noise, playground_data, split
from simnet.playground.features import DEFAULT_FEATURES, FEATURES, check_features, feature_matrix
from simnet.playground.maps import RESOLUTION, Grid, MapRecorder, fit_domain, grid_inputs
from simnet.playground.panel import MapsPanel, static_data
from simnet.playground.task import Task, build_network
from simnet.runs import ArgumentParser, UsageError, entry_point
from simnet.runs.destinations import check_destinations
from simnet.runs.image_runs import save_run
from simnet.runs.memory import HISTORY_LIMIT, check_memory, dense_bytes, record_all_bytes
from simnet.runs.options import hidden_sizes

MAP_SNAPSHOTS = 24  # maps kept over the run (thinned evenly), for the strip and the offline page


def representation_choice(text):
    """``--repr LAYER:I,J``: two neurons of a layer, for the representation view."""
    try:
        layer, pair = text.rsplit(":", 1)
        i, j = (int(v) for v in pair.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a layer and two of its neurons, like hidden1:0,1; got {text!r}") \
            from None
    return layer, i, j


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", choices=DATASETS, default="circle", help="Playground's data set")
    p.add_argument("--csv", metavar="FILE", help="your own points instead: lines of x1,x2,label (see docs/playground.md)")
    p.add_argument("--classes", action="store_true",
                   help="with --csv: numeric labels are class names (0,1,2: three classes), not numbers to regress")
    p.add_argument("--noise", type=float, default=0, help="noise, 0-50 percent")
    p.add_argument("--train-ratio", type=float, default=50, help="percent of the points to train on, 10-90")
    p.add_argument("--features", nargs="+", default=list(DEFAULT_FEATURES), metavar="F",
                   help=f"input features, any of: {' '.join(FEATURES)}")
    p.add_argument("--hidden", type=hidden_sizes, default="4-2", metavar="SIZES",
                   help="hidden layer sizes joined by '-': 4-2 is 4 then 2 neurons")
    p.add_argument("--activation", choices=["tanh", "relu", "sigmoid", "linear"], default="tanh",
                   help="activation of the hidden layers")
    p.add_argument("--regularization", choices=["none", "l1", "l2"], default="none", help="Playground's weight penalty")
    p.add_argument("--reg-rate", type=float, default=0.0,
                   help="regularization rate, Playground's: each step a weight moves lr*rate*sign(w) (L1) or "
                        "lr*rate*w (L2) towards 0")
    p.add_argument("--lr", "--alpha", type=float, default=0.03, dest="lr",
                   help="the learning rate: the walk-through's alpha, --alpha and --lr are one option")
    p.add_argument("--batch-size", type=int, default=10, help="points per step")
    p.add_argument("--epochs", type=int, default=300, help="passes over the training points")
    p.add_argument("--seed", type=int, default=0, help="seed of the data (and its split) and of the weights")
    p.add_argument("--repr", type=representation_choice, metavar="LAYER:I,J",
                   help="the representation view: the input grid as two neurons of a layer see it "
                        "(default: the first two neurons of the last hidden layer)")
    p.add_argument("--plots", default=os.path.join("plots", "playground"),
                   help="folder for the figures, the maps (maps.npz, maps/*.png) and history.npz")
    p.add_argument("--no-plots", action="store_true", help="write no figures (maps and history are still written)")
    p.add_argument("--save", help="folder to save the trained network into")
    add_live_argument(p, unit="step")
    args = p.parse_args(argv)
    if not (math.isfinite(args.noise) and 0 <= args.noise <= 50):
        raise UsageError(f"--noise must be 0-50 (percent), got {args.noise:g}")
    check_noise(args.noise / 100)
    try:
        args.features = list(check_features(args.features))
    except ValueError as e:
        raise UsageError(f"--features: {e}") from None
    if not (math.isfinite(args.train_ratio) and 10 <= args.train_ratio <= 90):
        raise UsageError(f"--train-ratio must be 10-90 (percent), got {args.train_ratio:g}")
    if not (math.isfinite(args.lr) and args.lr > 0):
        raise UsageError(f"--lr must be a positive finite number, got {args.lr}")
    if not (math.isfinite(args.reg_rate) and args.reg_rate >= 0):
        raise UsageError(f"--reg-rate must be a finite number >= 0, got {args.reg_rate}")
    if args.reg_rate and args.regularization == "none":
        raise UsageError(f"--reg-rate {args.reg_rate:g} needs --regularization l1 or l2")
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.epochs < 0:
        raise UsageError(f"--epochs must be 0 or more, got {args.epochs}")
    if not 0 <= args.seed < 2**63:
        raise UsageError(f"--seed must be in 0..2**63-1, got {args.seed}")
    if args.classes and not args.csv:
        raise UsageError("--classes is about the labels of a --csv file; give --csv FILE")
    return args


def load_data(args):
    """``(x_train, y_train, x_test, y_test, task, title)``: Playground's data set, or the --csv file's points
    shuffled and split as Playground does (one generator seeded with --seed)."""
    if args.csv:
        points, labels, task = read_csv(args.csv, classes=args.classes)
        rng = np.random.default_rng(args.seed)
        x_train, y_train, x_test, y_test = split(points, labels, args.train_ratio, rng)
        if len(x_train) == 0 or len(x_test) == 0:
            raise CSVError(f"{args.csv}: {len(points)} points leave {len(x_train)} to train on and {len(x_test)} "
                           f"to test at --train-ratio {args.train_ratio:g}; give more points")
        return x_train, y_train, x_test, y_test, task, os.path.basename(args.csv)
    data = playground_data(args.data, args.noise / 100, args.train_ratio, args.seed)
    task = Task("regression" if data.regression else "binary")
    return data.x_train, data.y_train, data.x_test, data.y_test, task, args.data


@entry_point
def main(argv=None):
    args = parse_args(argv)
    check_destinations(args)  # --save and --plots created and probed before anything runs
    try:
        x_train, y_train, x_test, y_test, task, title = load_data(args)
    except OSError as e:  # a missing or unreadable file
        raise UsageError(f"--csv {args.csv}: {e.strerror or e}") from None
    except ValueError as e:  # a bad line: CSVError names the file, the line and the column
        raise UsageError(f"--csv: {e}" if args.csv else str(e)) from None
    domain = fit_domain(np.concatenate([x_train, x_test]))
    print(f"{title}: {len(x_train)} training and {len(x_test)} test points, noise {args.noise:g}%, "
          f"{task.describe()}; maps over [{domain[0]:g}, {domain[1]:g}]^2")

    # The network: one input neuron per feature, the hidden layers, the task's output (no limit but memory).
    sizes = [len(args.features), *args.hidden, task.outputs]
    shape = "-".join(map(str, sizes))
    check_memory(dense_bytes(sizes, "float64", args.batch_size, 0), f"a {shape} network", "use a smaller --hidden")
    per_snapshot = sum(sizes[1:]) * RESOLUTION**2 * 2  # every neuron's map, float16 (MapRecorder)
    map_snapshots = min(MAP_SNAPSHOTS, HISTORY_LIMIT // 2 // per_snapshot - 1)
    if map_snapshots < 2:
        raise UsageError(f"the maps of {sum(sizes[1:]):,} neurons take {per_snapshot / 2**30:.2f} GiB a snapshot; "
                         f"keeping the first and the last needs more than the {HISTORY_LIMIT / 2**31:g} GiB allowed "
                         f"for them: use a smaller --hidden")
    network = build_network(len(args.features), args.hidden, args.activation, task, args.seed)
    if args.repr is not None:
        layer, i, j = args.repr
        names = [la.name for la in network.layers]
        if layer not in names:
            raise UsageError(f"--repr {layer}: no such layer; layers are {', '.join(names)}")
        n = network.layer(layer).num_neurons
        if not (0 <= i < n and 0 <= j < n and i != j):
            raise UsageError(f"--repr {layer}:{i},{j}: give two different neurons of {layer} (0..{n - 1})")
    optimizer = SGD(args.lr)
    if args.regularization == "l2" and args.reg_rate:
        optimizer.set_l2(args.reg_rate, 1)  # n = 1: w *= 1 - lr * rate, Playground's L2
    elif args.regularization == "l1" and args.reg_rate:
        optimizer.set_l1(args.reg_rate, 1)  # w -> sign(w) max(|w| - lr * rate, 0), Playground's L1
    x = check_data(network.input, feature_matrix(x_train, args.features), "inputs")
    goals = check_data(network.output, task.goals(y_train), "goals")
    x_test_in = feature_matrix(x_test, args.features)
    print(f"{network!r}, {args.activation}, features {' '.join(args.features)}; SGD lr {args.lr:g}, batch "
          f"{args.batch_size}, regularization {args.regularization}"
          + (f" rate {args.reg_rate:g}" if args.regularization != "none" else ""))

    # What is recorded (bounded): every weight, neuron and delta, the maps of every layer, the two losses.
    batches = math.ceil(len(x) / args.batch_size)
    if record_all_bytes(sizes, 256) <= HISTORY_LIMIT // 2:
        network.record_all(capacity=256)
    else:  # a large network: summaries and a few full snapshots of the weights, bounded whatever the run's length
        network.record_summaries(every=batches)
    grid = Grid(domain, RESOLUTION)
    recorder = MapRecorder(network, grid, args.features, every=max(1, batches * args.epochs // map_snapshots),
                           capacity=map_snapshots)
    losses = {"loss/train": History((), 2048, name="loss/train"), "loss/test": History((), 2048, name="loss/test")}
    network.histories.update(losses)
    network.histories.update(recorder.histories)
    layers = [(la.name, la.activation) for la in network.layers[1:]]
    static = static_data(layers, args.features, domain, task, (x_train, y_train), (x_test, y_test),
                         grid_inputs(grid, args.features).T.reshape(-1, grid.resolution, grid.resolution))
    panel = MapsPanel(network, grid, static)

    def measure(step):
        train = task.loss(network.predict(x), y_train)
        test = task.loss(network.predict(x_test_in), y_test)
        losses["loss/train"].offer(step, train)
        losses["loss/test"].offer(step, test)
        if math.isfinite(train) and math.isfinite(test):  # a diverged step is dropped from the histories anyway
            panel.add_loss(step, train, test)
        return train, test

    live = serve(args.live, network, args.live_host, title=f"playground: {title}", panels=[panel],
                 pace=args.pace)  # --live: the explorer with every neuron's map, at --pace steps a second
    step, epoch, diverged = 0, 0, False
    train_loss, test_loss = measure(0)
    recorder.offer(0)
    print(f"epoch 0: training loss {train_loss:.4f}, test loss {test_loss:.4f}")
    report = max(1, args.epochs // 10)
    with StopOnInterrupt() as stop, np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, args.epochs + 1):
            for start in range(0, len(x), args.batch_size):  # Playground's order: the shuffled points, each epoch
                network.step(x[start:start + args.batch_size], goals[start:start + args.batch_size], optimizer)
                step += 1
                recorder.offer(step)
                if stop.requested:
                    break
            train_loss, test_loss = measure(step)
            try:
                network.check_divergence(train_loss, epoch, unit="epoch")
            except DivergenceError as e:
                print(f"error: {e}", file=sys.stderr)
                diverged = True
                break
            if epoch % report == 0 or epoch == args.epochs:
                print(f"epoch {epoch}: training loss {train_loss:.4f}, test loss {test_loss:.4f}")
            if stop.requested:
                print(f"interrupted ({stop.name}) in epoch {epoch}, after step {step}")
                break
    if live:
        live.finish()
    if diverged:  # the histories end at the last finite step (check_divergence dropped the rest), and so do the maps
        maps = recorder.last_kept()
    else:
        network.close_histories()
        maps = recorder.close(step)  # the maps at the end
    accuracy = None if diverged else task.accuracy(network.predict(x_test_in), y_test)
    print(f"test loss {test_loss:.4f}" + (f", test accuracy {accuracy:.3f}" if accuracy is not None else "")
          + f" after {epoch} epochs ({step} steps)")

    finite = {k: v if math.isfinite(v) else None for k, v in (("test", test_loss), ("train", train_loss))}
    info = {"dataset": title, "epochs": epoch, "test_loss": finite["test"], "train_loss": finite["train"],
            "test_accuracy": accuracy, "lr": args.lr, "batch_size": args.batch_size, "optimizer": "sgd",
            "stopped": "interrupted" if stop.requested else "diverged" if diverged else None,
            "playground": {**{k: v for k, v in static.items() if k != "snapshots"}, "loss": panel.loss,
                           "noise": args.noise, "train_ratio": args.train_ratio,
                           "regularization": args.regularization, "reg_rate": args.reg_rate,
                           "class_names": [str(c) for c in task.classes]}}
    code = write_outputs(args, network, recorder, grid, maps, task, (x_train, y_train), (x_test, y_test), info)
    saved = save_run(args, network, optimizer, info) if args.save else 0
    if stop.requested:
        return stop.status
    return 3 if diverged else code or saved


def write_outputs(args, network, recorder, grid, maps, task, train, test, info):
    """history.npz, maps.npz and maps/*.png (every map, at the end), and the figures, into --plots."""
    from simnet.playground.export import export_maps

    os.makedirs(args.plots, exist_ok=True)
    network.save_history(os.path.join(args.plots, "history.npz"), info)
    npz = export_maps(args.plots, network, grid, maps, args.features)
    from simnet.plots.playground import save_map_pngs  # plotting is only imported to draw

    pngs = save_map_pngs(os.path.join(args.plots, "maps"), network, grid, maps, args.features)
    print(f"maps: {npz} and {len(pngs)} PNG files in {os.path.join(args.plots, 'maps')}/")
    if args.no_plots:
        return 0
    from simnet.plots.playground import plot_playground_run  # plotting is only imported to draw

    try:
        figures = plot_playground_run(network, recorder, grid, maps, task, train, test, info, args.features,
                                      args.plots, representation=args.repr)
    except Exception as e:  # noqa: BLE001 - a figure that fails must not lose the run's files
        print(f"error: the figures failed ({type(e).__name__}: {e}); history and maps are written",
              file=sys.stderr)
        return 2
    print(f"wrote {len(figures)} figures to {args.plots}/ (open {os.path.join(args.plots, 'decision_maps.png')}; "
          f"the page: simnet view {args.plots})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
