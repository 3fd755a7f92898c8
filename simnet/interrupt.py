"""Stopping a run cleanly: Ctrl-C ends the current step, not the program.

    with StopOnInterrupt() as stop:
        for step in ...:
            ...one step...
            if stop.requested:
                break
    if stop.requested:
        ...write the history, the figures, the network; exit with status 130

The first Ctrl-C (SIGINT) only sets ``requested``; a second one raises
``KeyboardInterrupt`` at once, for a loop that does not check.
"""
import signal
import threading

EXIT_INTERRUPTED = 130  # the shell's status for a program ended by SIGINT (128 + 2)


class StopOnInterrupt:
    def __init__(self):
        self.requested = False
        self._previous = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False
