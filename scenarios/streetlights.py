"""Streetlights: the walk-through's first network, step by step.

Three streetlights (inputs) tell whether it is safe to walk (one output).  The
layers are created output first, each drawing the weights to its target as it
is created, after ``np.random.seed(seed)``; then, for every sample: set the
inputs, ``train()`` every layer forward, ``calc_delta`` on the output, ``learn()``
every layer backward.  Run ``python scenarios/streetlights.py --help`` for options.
"""
import os
import sys

import numpy as np

from simnet import DivergenceError, History, Network, StopOnInterrupt, load_histories
from simnet.explorer.server import add_live_argument, serve
from simnet.interrupt import deferred  # first: from here on an interrupt ends the script with one line
from simnet.rewind import StateRecorder, apply_edit, continue_histories, load_state, rerecord, restore, save_states
from simnet.runs import ArgumentParser, UsageError, entry_point
from simnet.runs.destinations import check_destinations
from simnet.runs.figures import draw_figures
from simnet.runs.fork import fork_arguments, fork_live, write_run_record
from simnet.runs.image_runs import apply_init_weights
from simnet.runs.memory import HISTORY_LIMIT, check_memory, record_all_bytes
from simnet.runs.options import declare_watchpoints, format_sizes, hidden_sizes, watch_arguments
from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP, build_layers
from simnet.words import fixed, plural


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0, help="seed of numpy's global random state")
    p.add_argument("--hidden", type=hidden_sizes, default="4", metavar="SIZES",
                   help="hidden layer sizes joined by '-': 4, or 4-2 for the walk-through's two hidden layers")
    p.add_argument("--alpha", "--lr", type=float, default=0.2, dest="alpha", metavar="RATE",
                   help="the learning rate: the walk-through's alpha, --alpha and --lr are one option")
    p.add_argument("--epsilon", type=float, default=0.001, help="stop when the error is at most this")
    p.add_argument("--max-iter", type=int, default=1000, help="at most this many iterations")
    p.add_argument("--plots", default=os.path.join("plots", "streetlights"),
                   help="folder for the figures and history.npz")
    p.add_argument("--no-plots", action="store_true", help="write no figures")
    p.add_argument("--show", action="store_true", help="also open the figures in a window")
    p.add_argument("--on-divergence", choices=["stop", "raise"], default="stop",
                   help="when the error becomes NaN or infinite: stop and keep the history, or raise")
    add_live_argument(p, pace=40, unit="sample")  # 40 samples a second: 10 iterations, a pace to follow
    watch_arguments(p)  # --pause-when, --break-when: stop at the step where something happens
    fork_arguments(p)  # --resume-state, --resume-at, --edit: what `simnet fork` starts a run with
    p.add_argument("--init-weights", metavar="FILE",
                   help="start from the weights in FILE instead of drawing them (.npz or .json: 'input->hidden' "
                        "3x4 and 'hidden->output' 4x1 in row form; see docs/scenarios.md)")
    args = p.parse_args(argv)
    if not (np.isfinite(args.alpha) and args.alpha > 0):
        raise UsageError(f"--alpha must be a positive finite number, got {args.alpha}")
    if not (np.isfinite(args.epsilon) and args.epsilon >= 0):
        raise UsageError(f"--epsilon must be a finite number >= 0, got {args.epsilon}")
    if args.max_iter < 1:
        raise UsageError(f"--max-iter must be at least 1, got {args.max_iter}")
    if not 0 <= args.seed < 2**32:
        raise UsageError(f"--seed must be in 0..2**32-1 (numpy's global seed), got {args.seed}")
    if (args.resume_state is None) != (args.resume_at is None) or (args.edit and args.resume_state is None):
        raise UsageError("--resume-state FILE and --resume-at STEP go together (--edit with them); "
                         "simnet fork RUN --at STEP gives them")
    return args


@entry_point
def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    check_destinations(args)  # --plots created and probed before anything runs
    check_memory(record_all_bytes([3, *args.hidden, 1]), f"recording every neuron and weight of --hidden "
                 f"{format_sizes(args.hidden)}", "use a smaller --hidden", limit=HISTORY_LIMIT)

    # The data: which lights are on, and whether it was safe to walk (simnet/streetlights.py).
    streetlights, walk_vs_stop = STREETLIGHTS, WALK_VS_STOP

    # The layers, output first: a layer given a target draws its weights right away,
    # from numpy's global random state.
    np.random.seed(args.seed)
    layers = build_layers(args.hidden)
    input_layer, output_layer = layers[0], layers[-1]

    network = Network(layers)
    if args.init_weights:  # given weights replace the drawn ones (every array checked before any changes)
        apply_init_weights(network, args.init_weights)
        print(f"initial weights from {args.init_weights}\n")

    # Declare what to record: every neuron, weight and delta of every layer, thinned by
    # whole iterations (period: the four samples) so every sample stays in the histories.
    network.record_all(period=len(streetlights))
    network.record_health(every=len(streetlights))  # each layer's health, one row per iteration (simnet/health.py)
    sample_errors = History((len(streetlights),), name="error/samples")
    average_error = History((), name="error/average")
    network.histories.update({"error/samples": sample_errors, "error/average": average_error})
    declare_watchpoints(args, network, window=len(streetlights))  # 'error' of a watchpoint: an iteration's mean

    for layer in layers:
        print(layer)
    print()
    # A fork (simnet fork RUN --at STEP) starts from the state the run kept after STEP samples.
    errors = np.zeros(len(streetlights))
    start = 0
    if args.resume_state:
        try:
            meta = restore(network, load_state(args.resume_state, args.resume_at))
            start = args.resume_at
            errors[:] = meta["position"]["errors"]  # the samples of its iteration done before it
            original = load_histories(os.path.join(os.path.dirname(args.resume_state), "history.npz"))[0]
            continue_histories(network, original, start)  # its histories go on from the original's
            for key in ("error/samples", "error/average"):  # the iterations finished before it
                h = network.histories[key] = original[key]
                h.count, h._has_final = int(np.searchsorted(h.steps, start // len(streetlights))), False
            sample_errors, average_error = network.histories["error/samples"], network.histories["error/average"]
            for edit in args.edit:
                print("edit: " + apply_edit(network, edit))
            rerecord(network, start)  # the snapshots at the fork's step: the values it trains on
        except (OSError, ValueError) as e:
            raise UsageError(f"--resume-state {args.resume_state}: {e}") from None
        print(f"forked: from the state after {start} samples (iteration {start // len(streetlights)}, "
              f"sample {start % len(streetlights)})\n")
    # Full states (weights, and where in the data the run is) to fork from later: bounded, thinned.
    states = StateRecorder(network, capacity=1024, position=lambda: {"errors": errors.tolist()}, start=start)

    labels = [f"lights {x.astype(int)}" for x in streetlights]

    def fork_here(at, edit):  # the page's Fork here (paused): `simnet fork` from the state kept at or before `at`
        return fork_live(args.plots, "streetlights", argv, "--plots", states, lambda path: network.save_history(
            path, {"sample_labels": labels, "inputs": streetlights.tolist(), "stopped": None}), at, edit)

    # (served after the recorder listens: a pause at the end of a step then holds that step's state)
    live = serve(args.live, network, args.live_host, title="streetlights",  # --live: the explorer, steering this run;
                 samples=labels, start_paused=True, pace=args.pace, watch_window=len(streetlights),  # Play starts it
                 fork=None if args.no_plots else fork_here)

    # Train, one sample at a time: forward through every layer, then backward.
    # Ctrl-C (SIGTERM, SIGHUP) stops at the end of the current sample; NaN or inf errors stop the run;
    # anything else that fails in a step (a monitor, say) stops it too, and what was recorded is kept.
    converged, diverged, failed = False, None, None
    iteration, i = start // len(streetlights), 0
    with StopOnInterrupt() as stop, np.errstate(over="ignore", invalid="ignore"):  # divergence is caught below
        try:
            for iteration in range(start // len(streetlights), args.max_iter):
                first = start % len(streetlights) if iteration == start // len(streetlights) else 0  # (a fork's)
                for i in range(first, len(streetlights)):
                    input_layer.set_neurons(streetlights[i])
                    for layer in layers:
                        layer.train()
                    delta = output_layer.calc_delta(walk_vs_stop[i])
                    errors[i] = np.sum(delta ** 2)
                    for layer in reversed(layers):
                        layer.learn(args.alpha)
                    if stop.requested:
                        break
                if stop.requested:
                    break
                error = errors.mean()
                try:
                    network.check_divergence(error, iteration)
                except DivergenceError as e:
                    if args.on_divergence == "raise":
                        raise
                    diverged = e
                    break
                sample_errors.offer(iteration, errors)
                average_error.offer(iteration, error)
                if iteration % 10 == 0:
                    print(f"{iteration} Error = {error:.5f}")
                if error <= args.epsilon:
                    converged = True
                    break
        except DivergenceError:
            raise
        except Exception as e:  # noqa: BLE001 - the run keeps what it recorded, says what failed, exits 1
            failed = e

    with deferred():  # an interrupt from here on takes effect once the history is written
        if live:
            live.finish()
        if diverged is None and failed is None and len(average_error):
            network.close_histories(average_error.steps[-1], sample_errors.values[-1], average_error.values[-1])
        iterations = iteration + 1

        print()
        if failed is not None:
            print(f"error: the training stopped in iteration {iteration}, sample {i}: {type(failed).__name__}: "
                  f"{failed}; what was recorded until then is kept", file=sys.stderr)
        elif stop.requested:
            print(f"interrupted ({stop.name}) during iteration {iteration}, after sample {i}")
        elif diverged is not None:
            print(f"DIVERGED: {diverged}; the history up to the last finite step is kept")
        elif converged:
            print(f"converged after {plural(iterations, 'iteration')}: error {error:.5f} <= epsilon {args.epsilon}")
        else:
            print(f"did NOT converge: error {error:.5f} > epsilon {args.epsilon} after "
                  f"{plural(iterations, 'iteration')} (seed {args.seed}; try another seed, a different alpha or "
                  f"more iterations)")

        # Evaluate each sample with the trained weights.
        predictions = network.predict(streetlights)
        for x, prediction, goal in zip(streetlights, predictions, walk_vs_stop):
            accuracy = max(0.0, 1 - abs(goal[0] - prediction[0]))
            print(f"input {x.astype(int)}  prediction {fixed(prediction[0])}  goal {goal[0]:.0f}  "
                  f"accuracy {accuracy:.1%}")

        if not args.no_plots:
            info = {"sample_labels": [f"lights {x.astype(int)}" for x in streetlights],
                    "inputs": streetlights.tolist(),
                    "stopped": str(diverged) if diverged is not None else
                    f"{type(failed).__name__}: {failed}" if failed is not None else None}
            network.save_history(os.path.join(args.plots, "history.npz"), info)
            states.close()
            save_states(os.path.join(args.plots, "states.npz"), states)  # simnet fork RUN --at STEP starts here
            write_run_record(args.plots, "streetlights", argv, "--plots")

    if not args.no_plots:
        from simnet.plots import plot_run  # plotting is only imported to draw

        paths = draw_figures(lambda: plot_run(network.all_histories(), {"network": network.structure(), **info},
                                              args.plots, show=args.show), args.plots)
        if paths is None:
            return 1
        print(f"\nwrote {plural(len(paths), 'figure')} and history.npz to {args.plots}/")
    if failed is not None:
        return 1
    if stop.requested:
        return stop.status
    return 3 if diverged is not None else 0

if __name__ == "__main__":
    sys.exit(main())
