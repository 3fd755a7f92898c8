"""Batch splitting: a map layer's large array steps run on parts of the batch in threads at once.

numpy releases the GIL inside its element-wise loops, its copies and its matrix
products, so threads that each work on their own samples (or rows of maps) run on
separate cores.  Convolution and max pooling hand their per-sample work (im2col,
the products, the window maxima and the routing back) to ``over_batch``; every
part writes only its own slice of the layer's buffers, and sums over the batch
stay in one thread, so the numbers are the same, bit for bit, for any thread count.

How many threads: ``SIMNET_THREADS`` (an int; ``1`` turns the splitting off), else
the cores this process may run on.  ``set_threads(n)`` changes it at run time.

BLAS (numpy's matrix products) keeps its own threads too, and OpenBLAS's spin for a while
after each product, waiting for the next: beside simnet's own threads they take a core each.
So a network with split layers trains and evaluates with BLAS at one thread
(``one_blas_thread``, through threadpoolctl, which finds OpenBLAS, MKL or BLIS in the
process): one step of the larger CNN takes 31 ms instead of 55 ms on 2 cores.
"""
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

MIN_PART = 8  # samples (or rows) per part: below this a part's work is too small to pay for a thread


def _default_threads():
    env = os.environ.get("SIMNET_THREADS")
    if env:
        try:
            n = int(env)
        except ValueError:
            raise ValueError(f"SIMNET_THREADS must be a positive int, got {env!r}") from None
        if n < 1:
            raise ValueError(f"SIMNET_THREADS must be a positive int, got {env!r}")
        return n
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_threads = None
_pool = None
_pool_pid = None
_lock = threading.Lock()


def threads():
    """The number of threads ``over_batch`` uses (``SIMNET_THREADS``, else the cores at hand)."""
    global _threads
    if _threads is None:
        _threads = _default_threads()
    return _threads


def set_threads(n):
    """Use ``n`` threads from now on (``None``: back to ``SIMNET_THREADS`` or the cores); returns the old count."""
    global _threads
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"threads must be a positive int or None, got {n!r}")
    old = threads()
    _threads = n
    return old


def _executor(workers):
    global _pool, _pool_pid
    with _lock:
        # a forked child inherits the pool object but not its threads: it makes its own
        if _pool is None or _pool_pid != os.getpid() or _pool._max_workers != workers:
            _pool = ThreadPoolExecutor(workers, thread_name_prefix="simnet-split")
            _pool_pid = os.getpid()
        return _pool


def parts(n, count):
    """``count`` contiguous ``(start, stop)`` ranges covering ``range(n)``, as equal as possible."""
    return [(n * i // count, n * (i + 1) // count) for i in range(count)]


def over_batch(work, n):
    """Call ``work(start, stop)`` on contiguous parts of ``range(n)`` that together cover it, in parallel threads,
    and return when every part is done (an exception in a part is raised here).

    One part (the calling thread alone) when one thread is asked for or ``n`` is small.
    """
    count = min(threads(), n // MIN_PART)
    if count < 2:
        work(0, n)
        return
    ranges = parts(n, count)
    pool = _executor(count - 1)
    futures = [pool.submit(work, a, b) for a, b in ranges[1:]]
    try:
        work(*ranges[0])
    finally:
        for f in futures:
            f.result()


_blas = None  # threadpoolctl's controller, found once (False: threadpoolctl is not installed)
_blas_depth = 0


@contextlib.contextmanager
def one_blas_thread():
    """Within it, BLAS runs one thread (when simnet splits work over two or more); as it was after.

    Nested uses cost nothing; the limit is the process's (BLAS has one setting for every thread)."""
    global _blas, _blas_depth
    if _blas_depth or threads() < 2:
        _blas_depth += 1
        try:
            yield
        finally:
            _blas_depth -= 1
        return
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
            _blas = ThreadpoolController()
        except ImportError:  # (a dependency: only a stripped-down install lacks it; the work is the same, slower)
            _blas = False
    limit = _blas.limit(limits=1, user_api="blas") if _blas else contextlib.nullcontext()
    _blas_depth += 1
    try:
        with limit:
            yield
    finally:
        _blas_depth -= 1
