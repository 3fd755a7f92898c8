"""Stopping a run cleanly: Ctrl-C ends the current step, not the program.

    with StopOnInterrupt() as stop:
        for step in ...:
            ...one step...
            if stop.requested:
                break
    if stop.requested:
        ...write the history, the figures, the network; exit with status 130

The first Ctrl-C (SIGINT) or SIGTERM (what ``kill``, systemd and batch schedulers send)
only sets ``requested`` (and ``signal``, the one that came); a second one raises
``KeyboardInterrupt`` at once, for a loop that does not check.  ``status`` is the exit
status a program stopped this way returns: 130 for SIGINT, 143 for SIGTERM (128 + the signal).
"""
import signal
import threading

EXIT_INTERRUPTED = 130  # the shell's status for a program ended by SIGINT (128 + 2)
EXIT_TERMINATED = 143  # ... and by SIGTERM (128 + 15)
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopOnInterrupt:
    def __init__(self):
        self.requested = False
        self.signal = None
        self._previous = {}

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.signal = signum

    @property
    def status(self):
        """The exit status of a run this stopped: 128 + the signal (130 Ctrl-C, 143 SIGTERM); 0 if none came."""
        return 128 + int(self.signal) if self.signal is not None else EXIT_INTERRUPTED if self.requested else 0

    @property
    def name(self):
        """What stopped the run, in words: 'Ctrl-C' or 'SIGTERM'."""
        return "SIGTERM" if self.signal == signal.SIGTERM else "Ctrl-C"

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc):
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous = {}
        return False


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program was (``sigterm_raises``): cleanup runs as for Ctrl-C."""

    status = EXIT_TERMINATED


class sigterm_raises:
    """Within it (main thread only), SIGTERM raises ``Terminated``, a ``KeyboardInterrupt``: code that
    cleans up after Ctrl-C (``finally``, ``except KeyboardInterrupt``) does so for SIGTERM too."""

    def __init__(self):
        self._previous = None

    @staticmethod
    def _handler(signum, frame):
        raise Terminated("SIGTERM")

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._handler)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
            self._previous = None
        return False
