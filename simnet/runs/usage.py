"""A user's mistake on the command line: ``UsageError``, one line on stderr and exit status 2.

Every scenario raises ``UsageError`` for an option it cannot use (a bad value, a folder it cannot
write, a saved run or data set it cannot read); ``ArgumentParser`` raises it where argparse would
print its usage and exit; ``entry_point`` turns it into ``error: <what>`` on stderr and status 2,
the way ``simnet run`` and ``python scenarios/NAME.py`` both end.
"""
import argparse
import contextlib
import contextvars
import functools
import sys
from collections.abc import Callable, Iterator, Sequence

EXIT_USAGE = 2
"""The exit status of a user's mistake (argparse's)."""


class UsageError(ValueError):
    """An option (or what it names) that the run cannot use; the message names the option and the value."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """``--help`` shows every option's default (unless its help already says it), and a description's own
    line breaks; ``help_width`` fixes the width (the terminal's otherwise)."""

    def __init__(self, prog, *args, **kwargs):
        if _width.get() is not None:
            kwargs["width"] = _width.get()
        super().__init__(prog, *args, **kwargs)

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if "default" in text or default is None or default is False or default == argparse.SUPPRESS \
                or not action.option_strings:
            return text
        if isinstance(default, (list, tuple)):  # nargs="+": the values as they are typed
            default = " ".join(map(str, default))
        return f"{text} (default: {str(default).replace('%', '%%')})"


_prog: contextvars.ContextVar[str | None] = contextvars.ContextVar("simnet_prog", default=None)
_width: contextvars.ContextVar[int | None] = contextvars.ContextVar("simnet_help_width", default=None)


@contextlib.contextmanager
def program_name(prog: str) -> Iterator[None]:
    """Parsers made inside call themselves ``prog`` (``simnet run mnist``) in their usage and help."""
    token = _prog.set(prog)
    try:
        yield
    finally:
        _prog.reset(token)


@contextlib.contextmanager
def help_width(width: int) -> Iterator[None]:
    """``--help`` inside is ``width`` columns wide, whatever the terminal (for the generated docs)."""
    token = _width.set(width)
    try:
        yield
    finally:
        _width.reset(token)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, with every option's default in ``--help`` and ``UsageError`` for a bad option."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        if kwargs.get("prog") is None and _prog.get() is not None:
            kwargs["prog"] = _prog.get()
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # argparse's own mistakes (unknown option, invalid choice, missing value)
        raise UsageError(f"{message} (see {self.prog} --help)")


def report(error: UsageError) -> int:
    """Print ``error`` as one line on stderr; return ``EXIT_USAGE``."""
    print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
    return EXIT_USAGE


def entry_point(main: Callable[..., int]) -> Callable[..., int]:
    """A scenario's ``main(argv=None) -> int``, returning ``EXIT_USAGE`` after one line for a ``UsageError``,
    and 128 + the signal after one line (``interrupted (Ctrl-C)``) for an interrupt that reached it (one
    during data loading or while figures are drawn; an interrupted training loop ends by itself)."""
    @functools.wraps(main)
    def wrapped(argv: Sequence[str] | None = None, *args, **kwargs) -> int:
        try:
            return main(argv, *args, **kwargs)
        except UsageError as e:
            return report(e)
        except KeyboardInterrupt as e:
            return interrupted(e)
        finally:  # the run is over: its --save folder is free for the next one
            from ..saving.files import release_claims

            release_claims()
    return wrapped


def interrupted(error: KeyboardInterrupt) -> int:
    """Print the one line of an interrupt that reached a command's top; return its exit status."""
    from ..interrupt import one_line, status_of

    try:
        print(one_line(error), file=sys.stderr, flush=True)
    except (OSError, ValueError):  # the terminal is gone (SIGHUP)
        pass
    return status_of(error)
