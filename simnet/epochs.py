"""The epoch loop of the image scenarios (``scenarios/mnist.py``, ``scenarios/mnist_cnn.py``).

``run_epochs`` runs epochs of ``Network.run_epoch`` with a progress bar per
epoch, a learning rate multiplied by ``lr_decay`` after every epoch, a test after
every epoch, one summary line per epoch, and the run's curves recorded in
``network.histories`` (``epoch/train_loss``, ``epoch/train_accuracy``,
``epoch/test_loss``, ``epoch/test_accuracy``).  Ctrl-C stops it after the
current batch; a NaN or infinite loss stops it (or raises, with
``on_divergence="raise"``).  Nothing recorded is lost either way.
"""
import time
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from .history import History
from .interrupt import StopOnInterrupt
from .network import DivergenceError

CURVES = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")


@dataclass
class EpochsResult:
    epochs: int  # epochs finished, those of an earlier run (first_epoch) included
    seconds: float  # time spent training (tests after each epoch included)
    interrupted: bool  # Ctrl-C stopped it
    diverged: DivergenceError = None  # what stopped it, if the loss became NaN or infinite
    status: int = 0  # exit status for an interrupted run: 130 (Ctrl-C), 143 (SIGTERM)
    rate_vanished: bool = False  # the learning-rate schedule reached 0 (it underflowed): stopped there


def run_epochs(network, optimizer, x_train, y_train, x_test, y_test, epochs, batch_size, lr, lr_decay=1.0,
                 first_epoch=0, on_divergence="stop", bar_every=50):
    """Train ``epochs`` epochs after ``first_epoch``; returns an ``EpochsResult``."""
    if on_divergence not in ("stop", "raise"):
        raise ValueError(f"on_divergence must be 'stop' or 'raise', got {on_divergence!r}")
    curves = {name: network.histories.setdefault(f"epoch/{name}", History((), name=f"epoch/{name}"))
              for name in CURVES}
    batches = -(-len(x_train) // batch_size)
    started = time.perf_counter()
    done, diverged, vanished = first_epoch, None, False
    with StopOnInterrupt() as stop, np.errstate(over="ignore", invalid="ignore"):  # divergence is caught below
        for epoch in range(first_epoch, first_epoch + epochs):
            alpha = lr * lr_decay ** epoch
            if not (np.isfinite(alpha) and alpha > 0):  # lr_decay ** epoch underflowed: nothing would change
                vanished = True
                break
            optimizer.alpha = alpha
            bar = tqdm(total=batches, desc=f"epoch {epoch + 1}", unit="batch", leave=False, mininterval=0.5)

            def progress(b, loss, accuracy):
                if b % bar_every == bar_every - 1 or b == batches - 1:
                    bar.update(b + 1 - bar.n)
                    bar.set_postfix(loss=f"{loss:.4f}", acc=f"{accuracy:.4f}", refresh=False)

            t0 = time.perf_counter()
            try:
                train_loss, train_accuracy = network.run_epoch(x_train, y_train, optimizer, batch_size,
                                                                 progress=progress, stop=stop)
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
            test_loss, test_accuracy, _ = network.evaluate(x_test, y_test)
            for name, value in zip(CURVES, (train_loss, train_accuracy, test_loss, test_accuracy)):
                curves[name].offer(epoch + 1, value)
            done = epoch + 1
            print(f"epoch {epoch + 1}: loss {train_loss:.4f} accuracy {train_accuracy:.4f} | "
                  f"test loss {test_loss:.4f} accuracy {test_accuracy:.4f} | {seconds:.1f}s", flush=True)
    if diverged is None:
        network.close_histories()
    if stop.requested:
        print(f"interrupted ({stop.name}) during epoch {done + 1}; keeping {done} finished epochs")
    if vanished:
        print(f"the learning rate reached 0 before epoch {done + 1} ({lr:g} x {lr_decay:g}^{done} underflows); "
              f"stopping after {done} epochs")
    if diverged is not None:
        print(f"DIVERGED in epoch {done + 1}: {diverged}; the history up to the last finite step is kept")
    return EpochsResult(done, time.perf_counter() - started, stop.requested, diverged, stop.status, vanished)
