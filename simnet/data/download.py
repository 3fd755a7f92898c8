"""Downloads with pooch: one file at a time into the user cache, length and sha256 checked.

Each file is written to a temporary file in the cache, its length checked against the server's
``Content-Length`` and its sha256 against the published one, and only then renamed into place,
so a truncated, stalled, failed or corrupted download leaves no file behind.  A server error
(HTTP 5xx or 429), a refused or dropped connection or a truncated transfer is tried again,
``DOWNLOAD_ATTEMPTS`` times in all with a growing pause; a timeout (nothing received for
``timeout`` seconds), an HTTP 4xx or a wrong checksum is not.
"""
import math
import socket
import threading
import time
from pathlib import Path

import numpy as np


class ChecksumError(ValueError):
    """A downloaded file's sha256 is not the published one; the file was discarded."""


class DownloadError(OSError):
    """One download failed: ``what`` says how (timed out, truncated, HTTP 500...).

    ``retry`` tells whether trying again may help (a server error, a dropped connection, a
    truncated transfer) or not (a timeout, a missing file).
    """

    def __init__(self, what, retry=False):
        super().__init__(what)
        self.what = what
        self.retry = retry


DOWNLOAD_DEADLINE = 900.0
"""Seconds one file's download may take in all: a server that trickles (a byte now and then, never
silent long enough for ``timeout``) is cut off here.  26 MB (MNIST's largest file) in 900 s is 29 kB/s."""
DOWNLOAD_ATTEMPTS = 3
"""Tries per file when a download fails in a way that may pass (see ``DownloadError.retry``)."""
RETRY_BACKOFF = 1.0
"""Seconds to wait before the second try; doubled before each later one."""

def check_timeout(timeout):
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float, np.integer, np.floating)):
        raise TypeError(f"timeout must be a number of seconds, got {type(timeout).__name__}")
    if not (math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout must be a positive finite number of seconds, got {timeout!r}")
    return float(timeout)


class _HTTPDownload:
    """A pooch downloader: one HTTP GET with a timeout, the body checked against Content-Length.

    Every failure is a ``DownloadError`` saying what happened; ``received`` is the number of
    bytes the last call wrote.  The whole download has a deadline, ``DOWNLOAD_DEADLINE``
    seconds: a timer shuts the connection when it passes.  The body is read as sent (``Accept-Encoding: identity``), so
    its length and sha256 are those of the file on the server.
    """

    def __init__(self, timeout, progressbar=True):
        self.timeout = timeout
        self.progressbar = progressbar
        self.received = 0

    def __call__(self, url, output_file, pooch_instance=None):
        import http.client

        import requests
        import urllib3

        self.received = 0
        t = self.timeout
        deadline = DOWNLOAD_DEADLINE
        started = time.monotonic()
        try:
            response = requests.get(url, stream=True, timeout=(t, min(t, deadline)),
                                    headers={"Accept-Encoding": "identity"})
        except requests.exceptions.ConnectTimeout:
            raise DownloadError(f"timed out: no connection to {url} within {t:g} s (timeout={t:g})") from None
        except requests.exceptions.Timeout:
            raise DownloadError(f"timed out: the server at {url} sent no response for {t:g} s "
                                f"(timeout={t:g})") from None
        except requests.exceptions.RequestException as e:
            raise DownloadError(f"cannot connect to {url}: {_reason(e)}", retry=True) from None
        with response:
            status = response.status_code
            if status >= 400:
                what = f"HTTP {status} {response.reason or ''}".rstrip() + f" for {url}"
                raise DownloadError(what, retry=status >= 500 or status == 429)
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            expired = threading.Event()

            def cut():  # the deadline passed: shut the socket, which ends the read that waits on it
                expired.set()
                sock = _socket_of(response)
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

            timer = threading.Timer(max(0.0, deadline - (time.monotonic() - started)), cut)
            timer.daemon = True
            timer.start()
            bar = None
            if self.progressbar:
                from tqdm import tqdm

                bar = tqdm(total=total, unit="B", unit_scale=True, leave=True, desc=url.rsplit("/", 1)[-1])
            try:
                with open(output_file, "wb") as f:
                    for chunk in response.iter_content(chunk_size=1 << 16):
                        f.write(chunk)
                        self.received += len(chunk)
                        if bar is not None:
                            bar.update(len(chunk))
            except (requests.exceptions.RequestException, OSError) as e:
                of = f" of {total:,}" if total is not None else ""
                if expired.is_set():
                    raise DownloadError(f"timed out: {url} took longer than the deadline of {deadline:g} s for the "
                                        f"whole file ({self.received:,}{of} bytes received; "
                                        f"DOWNLOAD_DEADLINE={deadline:g})") from None
                if not isinstance(e, requests.exceptions.RequestException):
                    raise
                if _find(e, (urllib3.exceptions.TimeoutError, socket.timeout)) is not None:
                    raise DownloadError(f"timed out: {url} stalled after {self.received:,}{of} bytes: nothing "
                                        f"received for {t:g} s (timeout={t:g})") from None
                short = _find(e, http.client.IncompleteRead)  # knows the bytes read, written or not
                got = short.partial if isinstance(getattr(short, "partial", None), int) else self.received
                raise DownloadError(f"truncated: the connection to {url} broke after {got:,}{of} bytes",
                                    retry=True) from None
            finally:
                timer.cancel()
                if bar is not None:
                    bar.close()
        if expired.is_set():
            of = f" of {total:,}" if total is not None else ""
            raise DownloadError(f"timed out: {url} took longer than the deadline of {deadline:g} s for the "
                                f"whole file ({self.received:,}{of} bytes received; DOWNLOAD_DEADLINE={deadline:g})")
        if total is not None and self.received != total:
            raise DownloadError(f"truncated: {url} sent {self.received:,} of the {total:,} bytes its "
                                f"Content-Length announced", retry=True)


def _socket_of(response):
    """The socket under a streamed ``requests`` response (urllib3 over http.client), or None."""
    for path in (("raw", "_fp", "fp", "raw", "_sock"), ("raw", "_connection", "sock")):
        obj = response
        for name in path:
            obj = getattr(obj, name, None)
            if obj is None:
                break
        if obj is not None and hasattr(obj, "shutdown"):
            return obj
    return None


def _find(error, kinds):
    """The first exception of ``kinds`` in ``error``'s arguments and causes (requests wraps urllib3's)."""
    todo, seen = [error], set()
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, kinds):
            return e
        todo += [a for a in e.args if isinstance(a, BaseException)]
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]
    return None


def _reason(error):
    """The innermost message of a requests/urllib3 error, without the retry boilerplate."""
    text = str(error)
    for marker in ("Caused by ", "Failed to establish a new connection: "):
        if marker in text:
            text = text.split(marker, 1)[1]
    return text.strip("()'\" ") or type(error).__name__


def download_file(spec, fname, base, cache, timeout):
    """Fetch one file into ``cache`` with pooch: temporary file, length and sha256 checks, then rename.

    Tries up to ``DOWNLOAD_ATTEMPTS`` times when the failure may pass (``DownloadError.retry``),
    waiting ``RETRY_BACKOFF`` seconds, then twice that, between tries.  Raises the last
    ``DownloadError`` (saying how many tries were made) or ``ChecksumError``.
    """
    import pooch

    if fname not in spec.sha256:
        raise ValueError(f"{spec.title}: no published sha256 for {fname!r}")
    url = f"{base.rstrip('/')}/{fname}"
    downloader = _HTTPDownload(timeout)
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        try:
            got = pooch.retrieve(url, known_hash=f"sha256:{spec.sha256[fname]}", fname=fname, path=cache,
                                 downloader=downloader)
            return Path(got)
        except DownloadError as e:
            if not e.retry or attempt == DOWNLOAD_ATTEMPTS:
                tries = f"{attempt} attempt" + ("s" if attempt > 1 else "")
                raise DownloadError(f"{e.what} ({tries}; {fname} was not saved in {cache})", e.retry) from None
        except ValueError as e:
            if "hash" not in str(e):
                raise
            raise ChecksumError(f"{url}: the download ({downloader.received:,} bytes) does not match the "
                                f"published sha256 and was discarded (not saved in {cache}). "
                                f"{str(e).rstrip('.')}. The transfer may have been cut short or the mirror may "
                                f"serve a different file: try again later, set base_url or SIMNET_DATA_URL to "
                                f"another mirror, or put the official file in {cache} by hand.") from None
        time.sleep(RETRY_BACKOFF * 2 ** (attempt - 1))
    raise AssertionError("unreachable")

