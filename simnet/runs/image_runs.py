"""The steps every image scenario (``mnist``, ``fashion-mnist``, ``cnn``) takes around its training loop.

In order: ``load_saved`` (``--load``), ``load_data`` (the data set, ``--train-size``),
``split_validation`` (``--validation``), ``apply_init_weights`` (``--init-weights``), ``apply_l2``
(``--l2`` and the schedule's check), ``default_history``, then after training ``finish`` (the
summary lines, ``--save``, the figures and the exit status).  A value the run cannot use is a
``UsageError`` raised before the first step.
"""
import os
import sys

import numpy as np

from ..data import ChecksumError, DatasetNotFoundError, load_for_training
from ..epochs import check_schedule, hold_out
from ..saving import load_network, save_network
from ..saving.init_weights import init_from_file
from ..words import plural
from .figures import draw_figures
from .usage import UsageError


def load_saved(args, check):
    """``--load``: ``(network, optimizer, info)`` of the saved run, ``check(args, network)`` raising
    ``ValueError`` where an option contradicts it; before any data is read."""
    try:
        network, optimizer, saved = load_network(args.load)
        check(args, network)
    except (OSError, ValueError, TypeError) as e:
        raise UsageError(f"--load {args.load}: {e}") from None
    return network, optimizer, saved


def load_data(args):
    """The data set of ``args.dataset`` as ``load_for_training`` returns it, its note printed."""
    try:
        loaded = load_for_training(args.dataset, args.data, not args.no_download, args.train_size, args.seed,
                                   args.dtype)
    except (DatasetNotFoundError, ChecksumError, ValueError) as e:  # missing, failed download, malformed file
        where = f"--train-size {args.train_size}: " if "train_size" in str(e) else ""
        raise UsageError(where + str(e)) from None
    info = loaded[0].info
    if info["note"]:
        print(f"NOTE: {info['note']}")
    elif info["split"]:  # --train-size of the official training set
        print(f"training on {info['split']['train_size']:,} of the {info['split']['of']:,} training images "
              f"(drawn with --seed {info['split']['seed']})")
    return loaded


def split_validation(args, title, x_train, y_train, x_test):
    """``--validation N``: Nielsen's split, the last N images of the training set validate and the test
    set tests once; prints the sizes either way.  Returns ``(x_train, y_train, x_val, y_val)`` (``x_val``
    and ``y_val`` None without the option)."""
    x_val = y_val = None
    if args.validation:
        try:
            x_train, y_train, x_val, y_val = hold_out(x_train, y_train, args.validation)
        except ValueError as e:
            raise UsageError(f"--validation: {e}") from None  # (the message names the number)
        print(f"{title}: {len(x_train):,} training, {len(x_val):,} validation (the last of the training set) "
              f"and {len(x_test):,} test images")
    else:
        print(f"{title}: {len(x_train):,} training and {len(x_test):,} test images")
    return x_train, y_train, x_val, y_val


def apply_init_weights(network, path):
    """``--init-weights``: the weights and biases of the file ``path`` into ``network``, every array
    checked before any changes."""
    try:
        init_from_file(network, path)
    except (OSError, ValueError) as e:
        raise UsageError(f"--init-weights: {e}") from None  # (the message names the file)


def apply_l2(args, optimizer, n_train, first_epoch):
    """``--l2`` on ``optimizer`` (Nielsen's lambda over the ``n_train`` images trained on), then the
    run's learning-rate schedule checked with it before the first step.  Returns the words for the
    banner ('' without L2)."""
    if args.l2 is not None:
        try:
            optimizer.set_l2(args.l2, n_train)
        except ValueError as e:
            raise UsageError(f"--l2 {args.l2:g}: {e}") from None
    try:  # with L2, every rate of the schedule must keep the weight decay a shrink
        check_schedule(optimizer, args.lr, args.lr_decay, first_epoch, args.epochs)
    except ValueError as e:
        raise UsageError(f"--l2 with --lr {args.lr:g} --lr-decay {args.lr_decay:g}: {e}") from None
    if not optimizer.l2:
        return ""
    return f", L2 {optimizer.l2:g} (weights x(1 - lr*{optimizer.l2:g}/{optimizer.n:,}) a step)"


def default_history(network, batch_size):
    """The image scenarios' history: summaries and layer health every 6,400 samples (``record_summaries``,
    ``record_health``), unless a loaded network goes on with the histories it brought.  Returns the bound on
    their memory in bytes."""
    every = max(1, 6400 // batch_size)
    if network.monitors():
        if any(key.startswith("health/") for key in network.histories):
            network.record_health(every=next(h.every for k, h in network.histories.items() if k.startswith("health/")))
        return network.history_bytes()
    bound = network.record_summaries(every=every)
    network.record_health(every=every)  # each layer's health over windows of 6,400 samples (simnet/health.py)
    return bound + sum(h.nbytes for k, h in network.histories.items() if k.startswith("health/"))


def run_info(args, run, test_accuracy, data, spec):
    """What a save and the figures record about an image run."""
    return {"dataset": args.dataset, "epochs": run.epochs, "test_accuracy": test_accuracy,
            "validation": args.validation, "best_epoch": run.best_epoch, "best_validation_accuracy": run.best_accuracy,
            "optimizer": args.optimizer, "lr": args.lr, "lr_decay": args.lr_decay, "batch_size": args.batch_size,
            "stopped": f"failed ({type(run.failed).__name__}: {run.failed})" if run.failed is not None else
            "interrupted" if run.interrupted else "diverged" if run.diverged else
            "learning rate reached 0" if run.rate_vanished else None,
            "note": data.info["note"], "class_names": list(spec.class_names)}


def save_run(args, network, optimizer, info):
    """Save a run to ``args.save`` and print where; a failure is one line on stderr and returns 2
    (the figures are drawn all the same)."""
    try:
        saved = save_network(args.save, network, optimizer, info)
    except (OSError, ValueError) as e:
        print(f"error: could not save the network to {args.save}: {e}", file=sys.stderr)
        return 2
    print(saved.describe())
    return 0


def finish(args, run, network, optimizer, info, draw, states=None, scenario=None, argv=()):
    """After training: the best validation epoch, ``--save``, then the figures (``draw(save_to)`` returns
    their paths), and the exit status: the interrupt's (130, 143), 3 for divergence, 2 for a failed save,
    else 0."""
    if run.best_epoch is not None:
        print(f"best validation accuracy {run.best_accuracy:.4f} at epoch {run.best_epoch}"
              + ("; the test used that epoch's weights" if run.restored else ""))
    saved = save_run(args, network, optimizer, info) if args.save else 0  # a failed save still draws
    if saved == 0 and states is not None:
        save_states_beside(args, states, scenario, argv)  # simnet fork RUN --at STEP starts from these
    if not args.no_plots:
        paths = draw_figures(lambda: draw(args.save if args.save and saved == 0 else None),  # (not beside an
                             args.plots)                                                     # older save it left)
        if paths is None:
            return 1
        print(f"wrote {plural(len(paths), 'figure')} to {args.plots}/")
    if run.failed is not None:
        return 1
    if run.interrupted:
        return run.status
    return 3 if run.diverged else saved


STATES_KEPT_IMAGES = 32  # full states an image run keeps (weights, optimizer state, data order), thinned


def start_states(args, network, batches):
    """A fork's start (``--resume-state``, ``--resume-at``, ``--edit``): the state restored, the original's
    histories continued, the edits applied.  Returns ``(recorder, resume, first_epoch)``: the ``StateRecorder``
    of this run's states (None without ``--save``, where they would be written), the position ``run_epochs``
    resumes at (None: at an epoch's start) and the epoch to start from (None: not a fork)."""
    from ..history import load_histories
    from ..rewind import StateRecorder, apply_edit, continue_histories, load_state, rerecord, restore

    resume, first_epoch, start = None, None, 0
    if args.resume_state:
        try:
            meta = restore(network, load_state(args.resume_state, args.resume_at))
            original = load_histories(os.path.join(os.path.dirname(args.resume_state), "history.npz"))[0]
            continue_histories(network, original, args.resume_at)
            position = meta["position"]
            first_epoch = position.get("epoch", 0)
            if position.get("batch", batches) >= batches:  # at an epoch's end: the next starts as it did
                first_epoch = first_epoch + 1 if "batch" in position else 0
            else:
                resume = {"epoch": first_epoch, "batch": position["batch"], "rng": position["rng"]}
            for key, h in original.items():  # the epochs finished before it
                if key.startswith("epoch/"):
                    h.count, h._has_final = int(np.searchsorted(h.steps, first_epoch, side="right")), False
                    network.histories[key] = h
            for edit in args.edit:
                print("edit: " + apply_edit(network, edit))
            rerecord(network, args.resume_at)  # the snapshots at the fork's step: the values it trains on
        except (OSError, ValueError, KeyError) as e:
            raise UsageError(f"--resume-state {args.resume_state}: {e}") from None
        start = args.resume_at
        print(f"forked: from the state after {start} batches (epoch {first_epoch + 1}"
              + (f", batch {resume['batch']}" if resume else "") + ")")
    recorder = None
    if args.save and not getattr(args, "load", None):  # (a loaded run's steps began in another process)
        recorder = StateRecorder(network, capacity=STATES_KEPT_IMAGES, position=lambda: dict(network.data_position),
                                 start=start)
    return recorder, resume, first_epoch


def page_fork(args, recorder, network, scenario, argv):
    """The live page's Fork here for an image run (``fork`` of ``serve``): ``simnet fork`` in the background
    from the paused run's kept state (``simnet.runs.fork.fork_live``); None without ``--save``, where the
    run keeps no states."""
    from .fork import fork_live

    if recorder is None:
        return None
    return lambda at, edit: fork_live(args.save, scenario, argv, "--save", recorder, network.save_history, at, edit)


def save_states_beside(args, recorder, scenario, argv):
    """After a successful ``--save``: the run's states and ``run.json`` in the save folder (``simnet fork``)."""
    from ..rewind import save_states
    from .fork import write_run_record

    if recorder is None or not args.save or not os.path.isdir(args.save):
        return
    recorder.close()
    try:
        save_states(os.path.join(args.save, "states.npz"), recorder)
        write_run_record(args.save, scenario, argv, "--save")
    except OSError as e:
        print(f"error: could not write the run's states to {args.save}: {e}", file=sys.stderr)
