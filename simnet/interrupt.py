"""Stopping a run cleanly: Ctrl-C, SIGTERM or SIGHUP ends the current step, not the program.

    with StopOnInterrupt() as stop:
        for step in ...:
            ...one step...
            if stop.requested:
                break
    if stop.requested:
        ...write the history, the figures, the network; exit with stop.status

The first Ctrl-C (SIGINT), SIGTERM (what ``kill``, systemd and batch schedulers send) or SIGHUP
(the terminal closed, an ssh session dropped) only sets ``requested`` (and ``signal``, the one
that came); a second one raises ``Interrupted`` (a ``KeyboardInterrupt``) at once, for a loop that
does not check.  ``status`` is the exit status a program stopped this way returns: 128 + the
signal (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).

Outside a training loop, in simnet's own commands (``simnet ...``, ``python scenarios/NAME.py``):
``commands_interruptible()`` makes SIGTERM and SIGHUP raise ``Interrupted`` where the program is,
as Ctrl-C raises ``KeyboardInterrupt``, so the same cleanup runs for all three; and an interrupt
that reaches the top (during an import, while data loads, while figures are drawn) ends the program
with one line, ``interrupted (Ctrl-C)``, and status 128 + the signal, not a traceback.
Their output survives a terminal that is gone (a write that fails is dropped, not raised), so a
dropped ssh session cannot end a run before it is kept.  ``deferred()`` holds the three signals while something must be written whole (a save, a history):
they take effect when it is done.

This module imports nothing but the standard library: ``simnet`` installs the command handling
before numpy is imported, so an interrupt during the imports ends with one line too.
"""
import atexit
import contextlib
import os
import signal
import sys
import threading

EXIT_INTERRUPTED = 130  # the shell's status for a program ended by SIGINT (128 + 2)
EXIT_TERMINATED = 143  # ... and by SIGTERM (128 + 15)
EXIT_HUNG_UP = 129  # ... and by SIGHUP (128 + 1)
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}


def signal_name(signum):
    """'Ctrl-C', 'SIGTERM' or 'SIGHUP'."""
    return NAMES.get(signum, "Ctrl-C" if signum is None else signal.Signals(signum).name)


class Interrupted(KeyboardInterrupt):
    """A signal (Ctrl-C, SIGTERM, SIGHUP) raised where the program was: cleanup that runs for Ctrl-C
    (``finally``, ``except KeyboardInterrupt``) runs for each.  ``status`` is 128 + the signal."""

    def __init__(self, signum=signal.SIGINT):
        super().__init__(signal_name(signum))
        self.signal = signum
        self.status = 128 + int(signum)


class Terminated(Interrupted):
    """SIGTERM, raised where the program was (``sigterm_raises``)."""

    def __init__(self, signum=signal.SIGTERM):
        super().__init__(signum)


def status_of(error):
    """The exit status of a ``KeyboardInterrupt``: its signal's (``Interrupted``), else 130."""
    return getattr(error, "status", EXIT_INTERRUPTED)


def _main_thread():
    return threading.current_thread() is threading.main_thread()


def _hung_up(signum):
    """SIGHUP: the terminal is gone, and writing to it would fail (EIO) before the run is kept; what the
    run prints from here on goes to /dev/null instead (pipes and files stay as they are)."""
    if signum != signal.SIGHUP:
        return
    for fd in (1, 2):
        try:
            if os.isatty(fd):
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)
                os.close(null)
        except OSError:
            pass


class StopOnInterrupt:
    def __init__(self):
        self.requested = False
        self.signal = None
        self._previous = {}

    def _handler(self, signum, frame):
        _hung_up(signum)
        if self.requested:
            raise Interrupted(signum)
        self.requested = True
        self.signal = signum

    @property
    def status(self):
        """The exit status of a run this stopped: 128 + the signal (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP);
        0 if none came."""
        return 128 + int(self.signal) if self.signal is not None else EXIT_INTERRUPTED if self.requested else 0

    @property
    def name(self):
        """What stopped the run, in words: 'Ctrl-C', 'SIGTERM' or 'SIGHUP'."""
        return signal_name(self.signal)

    def __enter__(self):
        if _main_thread():
            for sig in SIGNALS:
                if sig == signal.SIGHUP and signal.getsignal(sig) == signal.SIG_IGN:
                    continue  # started under nohup: a closed terminal is not a reason to stop
                self._previous[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc):
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous = {}
        return False


def _raise(signum, frame):
    _hung_up(signum)
    raise Interrupted(signum)


class sigterm_raises:
    """Within it (main thread only), SIGTERM and SIGHUP raise ``Interrupted`` (a ``KeyboardInterrupt``;
    ``Terminated`` for SIGTERM): code that cleans up after Ctrl-C does so for them too."""

    def __init__(self):
        self._previous = {}

    @staticmethod
    def _handler(signum, frame):
        _hung_up(signum)
        raise Terminated(signum) if signum == signal.SIGTERM else Interrupted(signum)

    def __enter__(self):
        if _main_thread():
            for sig in (signal.SIGTERM, signal.SIGHUP):
                self._previous[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc):
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous = {}
        return False


@contextlib.contextmanager
def deferred():
    """Hold Ctrl-C, SIGTERM and SIGHUP while the body runs (main thread only), then deliver the first that
    came to the handler that was there before: what the body writes is written whole, and the interrupt
    still takes effect, at once after."""
    if not _main_thread():
        yield
        return
    came = []
    previous = {}
    try:
        for sig in SIGNALS:
            previous[sig] = signal.signal(sig, lambda signum, frame: came.append(signum))
    except (ValueError, OSError):  # not in the main interpreter: nothing to hold
        pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if came:
            signal.raise_signal(came[0])


def one_line(error):
    """The line an interrupted command ends with."""
    return f"interrupted ({signal_name(getattr(error, 'signal', signal.SIGINT))})"


def _excepthook(kind, value, tb):
    if issubclass(kind, KeyboardInterrupt):
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        try:
            print(one_line(value), file=sys.stderr, flush=True)
        except (OSError, ValueError):  # the terminal is gone (SIGHUP): the status still says it
            pass
        os._exit(status_of(value))
    _previous_hook(kind, value, tb)


class _GoneQuietly:
    """A text stream (stdout, stderr) whose writes stop failing once its terminal is gone: the first write that
    fails (EIO after a hangup, EPIPE) switches it to discarding, so a run whose ssh session dropped still
    finishes its step and keeps what it recorded.  Everything else is the stream's own."""

    def __init__(self, stream):
        self._stream = stream
        self.gone = False

    def write(self, text):
        if not self.gone:
            try:
                return self._stream.write(text)
            except OSError:
                self.gone = True
        return len(text)

    def flush(self):
        if not self.gone:
            try:
                self._stream.flush()
            except OSError:
                self.gone = True

    def __getattr__(self, name):
        return getattr(self._stream, name)


_previous_hook = sys.__excepthook__
_installed = False


def commands_interruptible():
    """For simnet's own commands (main thread): SIGTERM and SIGHUP raise ``Interrupted`` as Ctrl-C raises
    ``KeyboardInterrupt``, and an interrupt no one caught ends the program with one line and 128 + the
    signal.  Idempotent."""
    global _installed, _previous_hook
    if _installed or not _main_thread():
        return
    _installed = True  # (a signal already ignored, as nohup ignores SIGHUP, stays ignored)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):  # not one a caller set up
            signal.signal(sig, _raise)
    if sys.excepthook is not _excepthook:
        _previous_hook = sys.excepthook
        sys.excepthook = _excepthook
    atexit.register(_ignore_signals_at_exit)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _GoneQuietly):
            setattr(sys, name, _GoneQuietly(stream))


def _ignore_signals_at_exit():
    """The program is exiting with its status decided and its run kept: a signal from here on is ignored.
    (Python restores the default actions while it shuts down, and SIGTERM or SIGHUP then would end the
    process as killed, with no status of its own.)"""
    for sig in SIGNALS:
        try:
            signal.signal(sig, signal.SIG_IGN)
        except (ValueError, OSError):
            pass


def _is_simnet_command():
    """Whether this process is one of simnet's own commands: the ``simnet`` console script or a scenario
    script (``scenarios/NAME.py``), as opposed to a user's program that imports simnet (whose interrupts
    stay its own)."""
    if not sys.argv or hasattr(sys, "ps1") or sys.flags.interactive:
        return False
    if os.path.basename(sys.argv[0]) == "simnet":
        return True
    main = sys.modules.get("__main__")
    path = os.path.abspath(getattr(main, "__file__", None) or "")
    return os.path.basename(os.path.dirname(path)) == "scenarios" and path.endswith(".py")


if _is_simnet_command():  # at import, before numpy: an interrupt during the imports ends with one line
    commands_interruptible()
