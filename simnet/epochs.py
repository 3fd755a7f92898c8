"""The epoch loop of the image scenarios (``scenarios/mnist.py``, ``scenarios/mnist_cnn.py``).

``run_epochs`` runs epochs of ``Network.run_epoch`` with a progress bar per
epoch, a learning rate ``alpha`` multiplied by ``alpha_decay`` after every epoch, a test after
every epoch, one summary line per epoch, and the run's curves recorded in
``network.histories`` (``epoch/train_loss``, ``epoch/train_accuracy``,
``epoch/test_loss``, ``epoch/test_accuracy``).  Ctrl-C stops it after the
current batch; a NaN or infinite loss stops it (or raises, with
``on_divergence="raise"``).  Nothing recorded is lost either way.

With validation data (``x_val``, ``y_val``; ``hold_out`` takes the last N training
samples, as Nielsen's 50,000 / 10,000 split does) the epochs are measured on it instead
(``epoch/validation_loss``, ``epoch/validation_accuracy``) and the test set is left for
one test at the end.  ``early_stop=K`` then stops after K epochs without a better
validation accuracy and puts back the weights (and biases and optimizer state) of the
best epoch, saying so.
"""
import copy
import sys
import time
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from .checks import check_int
from .history import History
from .interrupt import StopOnInterrupt
from .network import DivergenceError
from .words import plural

CURVES = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")
VALIDATION_CURVES = ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy")


@dataclass
class EpochsResult:
    epochs: int  # epochs finished, those of an earlier run (first_epoch) included
    seconds: float  # time spent training (tests after each epoch included)
    interrupted: bool  # Ctrl-C stopped it
    diverged: DivergenceError | None = None  # what stopped it, if the loss became NaN or infinite
    status: int = 0  # exit status for an interrupted run: 130 (Ctrl-C), 143 (SIGTERM)
    rate_vanished: bool = False  # the learning-rate schedule reached 0 (it underflowed): stopped there
    best_epoch: int | None = None  # with validation data: the epoch of the best validation accuracy
    best_accuracy: float | None = None  # ... and that accuracy
    stopped_early: bool = False  # early_stop ended the run before its last epoch
    restored: bool = False  # the best epoch's weights were put back (early_stop)
    failed: Exception | None = None  # what stopped it, if a step failed (a monitor, say): recorded work kept


def hold_out(inputs, goals, n):
    """``(train_inputs, train_goals, held_inputs, held_goals)``: the last ``n`` samples held out.

    Nielsen's MNIST split (50,000 train, 10,000 validation) is ``hold_out(x, y, 10000)`` of
    MNIST's 60,000 training images.  The parts are views, not copies.
    """
    n = check_int(n, "the number of samples to hold out")
    if len(inputs) != len(goals):
        raise ValueError(f"inputs have {len(inputs)} samples but goals have {len(goals)}")
    if not 1 <= n < len(inputs):
        raise ValueError(f"cannot hold out {n} of {len(inputs)} training samples: "
                         f"hold out at least 1 and leave at least 1 to train on")
    return inputs[:-n], goals[:-n], inputs[-n:], goals[-n:]


def _snapshot(network):
    """Copies of every layer's weights, biases and optimizer state."""
    return [(None if la.weight_row_mat is None else la.weight_row_mat.copy(),
             None if la.bias is None else la.bias.copy(),
             copy.deepcopy(la.weight_state), copy.deepcopy(la.bias_state)) for la in network.layers]


def _restore(network, snapshot):
    for la, (w, b, ws, bs) in zip(network.layers, snapshot):
        if w is not None:
            la.weight_row_mat[...] = w  # in place: views stay valid
        if b is not None:
            la.bias[...] = b
        la.weight_state, la.bias_state = ws, bs


def check_schedule(optimizer, alpha, alpha_decay, first_epoch, epochs):
    """Refuse, before any step, a schedule ``alpha * alpha_decay ** epoch`` at which the optimizer's L2
    weight decay would stop being a shrink (a rate that grows, ``alpha_decay`` > 1, or a large ``alpha``)."""
    if not optimizer.l2 or epochs <= 0:
        return
    for epoch in sorted({first_epoch, first_epoch + epochs - 1}):
        rate = alpha * alpha_decay ** epoch
        if np.isfinite(rate) and rate > 0:  # a rate that underflows to 0 ends the run cleanly instead
            try:
                optimizer.decay_factor(rate)
            except ValueError as e:
                raise ValueError(f"the learning rate of epoch {epoch + 1}, {alpha:g} x {alpha_decay:g}^{epoch} = "
                                 f"{rate:g}: {e}") from None


def run_epochs(network, optimizer, x_train, y_train, x_test, y_test, epochs, batch_size, alpha, alpha_decay=1.0,
               first_epoch=0, on_divergence="stop", bar_every=50, x_val=None, y_val=None, early_stop=None,
               on_error="raise", resume=None):
    """Train ``epochs`` epochs after ``first_epoch``; returns an ``EpochsResult``.

    Epoch ``e`` (counted from 0) runs at the learning rate ``alpha * alpha_decay ** e``, set on
    ``optimizer`` (the command line's ``--lr`` and ``--lr-decay``).

    Every epoch ends with a test on ``x_test``/``y_test``, or, given ``x_val``/``y_val``,
    with a validation on them instead (the caller tests once at the end).  ``early_stop``
    (an int K >= 1, validation only) stops after K epochs without a better validation
    accuracy and restores the best epoch's weights, biases and optimizer state.  ``on_error="stop"`` (what
    the scenarios ask): an error in a step (a monitor, a listener) stops the run like an interrupt, what was
    recorded is kept, and ``failed`` says what failed; ``"raise"`` lets it go on up.

    ``resume``: where a run continued from a recorded state starts (``network.data_position`` as the state
    kept it: ``epoch``, ``batch`` done in it, ``rng`` the shuffling generator's state at its start); that
    epoch draws the same order again and skips the batches done (its loss and accuracy count the rest).
    """
    if on_divergence not in ("stop", "raise"):
        raise ValueError(f"on_divergence must be 'stop' or 'raise', got {on_divergence!r}")
    if on_error not in ("stop", "raise"):
        raise ValueError(f"on_error must be 'stop' or 'raise', got {on_error!r}")
    check_schedule(optimizer, alpha, alpha_decay, first_epoch, epochs)
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val (validation inputs and goals), or neither")
    if early_stop is not None:
        early_stop = check_int(early_stop, "early_stop (epochs without a better validation accuracy)", minimum=1)
        if x_val is None:
            raise ValueError("early_stop needs validation data (x_val, y_val): it watches the validation accuracy")
    validating = x_val is not None
    if validating:
        x_held, y_held, held = x_val, y_val, "validation"
    else:
        x_held, y_held, held = x_test, y_test, "test"
    names = VALIDATION_CURVES if validating else CURVES
    curves = {name: network.histories.setdefault(f"epoch/{name}", History((), name=f"epoch/{name}"))
              for name in names}
    batches = -(-len(x_train) // batch_size)
    started = time.perf_counter()
    done, diverged, vanished = first_epoch, None, False
    best_epoch, best_accuracy, best, waited, stopped_early = None, None, None, 0, False
    failed = None
    with StopOnInterrupt() as stop, np.errstate(over="ignore", invalid="ignore"):  # divergence is caught below
        try:
            for epoch in range(first_epoch, first_epoch + epochs):
                rate = alpha * alpha_decay ** epoch
                if not (np.isfinite(rate) and rate > 0):  # alpha_decay ** epoch underflowed: nothing would change
                    vanished = True
                    break
                optimizer.alpha = rate
                network.data_position["epoch"] = epoch
                skip = 0
                if resume is not None and epoch == resume["epoch"]:
                    network.rng.bit_generator.state = resume["rng"]
                    skip = resume["batch"]
                bar = tqdm(total=batches, desc=f"epoch {epoch + 1}", unit="batch", leave=False, mininterval=0.5)

                def progress(b, loss, accuracy, bar=bar):  # (this epoch's bar, bound here)
                    if b % bar_every == bar_every - 1 or b == batches - 1:
                        bar.update(b + 1 - bar.n)
                        bar.set_postfix(loss=f"{loss:.4f}", acc=f"{accuracy:.4f}", refresh=False)

                t0 = time.perf_counter()
                try:
                    train_loss, train_accuracy = network.run_epoch(x_train, y_train, optimizer, batch_size,
                                                                     progress=progress, stop=stop, start=skip)
                except DivergenceError as e:
                    if on_divergence == "raise":
                        raise
                    diverged = e
                    break
                finally:
                    bar.close()
                if stop.requested:
                    break  # a partial epoch is not an epoch: its figures are not recorded
                seconds = time.perf_counter() - t0
                held_loss, held_accuracy, _ = network.evaluate(x_held, y_held)
                for name, value in zip(names, (train_loss, train_accuracy, held_loss, held_accuracy)):
                    curves[name].offer(epoch + 1, value)
                done = epoch + 1
                mark = ""
                if validating and (best_accuracy is None or held_accuracy > best_accuracy):
                    best_epoch, best_accuracy, waited = done, held_accuracy, 0
                    mark = " (best)" if early_stop else ""
                    if early_stop:
                        best = _snapshot(network)
                elif validating:
                    waited += 1
                print(f"epoch {epoch + 1}: loss {train_loss:.4f} accuracy {train_accuracy:.4f} | "
                      f"{held} loss {held_loss:.4f} accuracy {held_accuracy:.4f}{mark} | {seconds:.1f}s", flush=True)
                if early_stop and waited >= early_stop and epoch + 1 < first_epoch + epochs:
                    stopped_early = True
                    break
        except DivergenceError:
            raise
        except Exception as e:  # the run keeps what it recorded, says what failed, exits 1
            if on_error == "raise":
                raise
            failed = e
    restored = False
    if best is not None and diverged is None and best_epoch != done:
        _restore(network, best)
        restored = True
    if diverged is None and failed is None:
        network.close_histories()
    if failed is not None:
        print(f"error: the training stopped in epoch {done + 1}: {type(failed).__name__}: {failed}; keeping "
              f"{plural(done, 'finished epoch')} and what was recorded", file=sys.stderr)
    if stop.requested:
        print(f"interrupted ({stop.name}) during epoch {done + 1}; keeping {plural(done, 'finished epoch')}")
    if vanished:
        print(f"the learning rate reached 0 before epoch {done + 1} ({alpha:g} x {alpha_decay:g}^{done} underflows); "
              f"stopping after {plural(done, 'epoch')}")
    if diverged is not None:
        print(f"DIVERGED in epoch {done + 1}: {diverged}; the history up to the last finite step is kept")
    if stopped_early:
        print(f"early stop: no better validation accuracy for {plural(early_stop, 'epoch')} after epoch {best_epoch} "
              f"({best_accuracy:.4f}); stopped after epoch {done}")
    if restored:
        print(f"kept the best weights: those of epoch {best_epoch} (validation accuracy {best_accuracy:.4f}), "
              f"not those of epoch {done}")
    return EpochsResult(done, time.perf_counter() - started, stop.requested, diverged, stop.status, vanished,
                        best_epoch=best_epoch, best_accuracy=best_accuracy, stopped_early=stopped_early,
                        restored=restored, failed=failed)
