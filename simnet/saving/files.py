"""Files and folders written whole, with the user's permissions.

- ``write_file(path, write)``: ``write(f)`` fills a temporary file beside ``path``
  (``.<name>.tmp-XXXXXXXX``, created with the user's umask), which is flushed, fsynced
  and renamed over ``path``: the file is the old one or the new one, never a mix.
  A write interrupted by an exception (Ctrl-C included) removes its temporary file; one
  killed outright (SIGKILL) leaves it, and the next write of the same file removes it.
- Both hold Ctrl-C, SIGTERM and SIGHUP until the write is done (``simnet.interrupt.deferred``): an
  interrupt takes effect right after, never halfway.
- ``replace_folder(target, write)``: ``write(folder)`` fills a temporary folder beside
  ``target`` (``<target>.tmp-XXXXXXXX``), which is fsynced and swapped in by two renames
  (the old folder aside as ``<target>.old-XXXXXXXX``, the new one in), then the old one is
  removed.  At every moment one complete folder exists: ``target``, or, between the two
  renames, the ``.old-`` one, which ``find_folder`` and the next ``replace_folder`` use.
- ``inside(folder, name)``: the path of ``name`` in ``folder``, refused (ValueError) if it
  would land anywhere else.
- ``hold_folder(target)``: the folder is this process's while held (``fcntl.flock`` on the lock file
  ``.<name>.lock`` beside it, which holds the holder's pid and exists only while it is held); another process that asks is refused
  (``FolderInUse``, naming the folder and the holder's pid) or waits.  ``replace_folder`` holds it
  for each save, so leftovers are removed only when no live process holds the folder; a run that
  saves holds it from its start (``claim_folder``) to its end.
- ``open_regular(path, limit)``: every file simnet reads from a user's folder is opened without
  blocking (a FIFO cannot hang it), checked to be a regular file (not a device such as /dev/zero, a
  folder or a socket) of at most ``limit`` bytes, before a byte is read; ``check_zip_end`` refuses
  an archive (``.npz``) with data after its end.  Each refusal names the file and the reason.
"""
import contextlib
import os
import re
import secrets
import shutil
import stat
import time

try:
    import fcntl
except ImportError:  # not on this platform: folders are not locked
    fcntl = None  # type: ignore[assignment]

from ..interrupt import deferred


def current_umask():
    """The process's umask, read without changing it where /proc allows."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _token():
    return secrets.token_hex(4)


def fsync_folder(folder):
    """Make a folder's entries (renames, new files) durable; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _stale_files(folder, name):
    pattern = re.compile(r"\." + re.escape(name) + r"\.tmp-[0-9a-f]{8}\Z")
    try:
        return [os.path.join(folder, n) for n in os.listdir(folder) if pattern.match(n)]
    except OSError:
        return []


def write_file(path, write):
    """Write ``path`` whole: ``write(f)`` fills a temporary file beside it, which replaces it by rename."""
    path = os.path.abspath(os.fspath(path))
    folder, name = os.path.split(path)
    os.makedirs(folder, exist_ok=True)
    for stale in _stale_files(folder, name):  # left by a write that was killed
        try:
            os.remove(stale)
        except OSError:
            pass
    with deferred():  # Ctrl-C, SIGTERM, SIGHUP take effect once the file is whole (or absent)
        tmp = os.path.join(folder, f".{name}.tmp-{_token()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0666 less the umask, as open() gives
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            fsync_folder(folder)
        except BaseException:
            try:
                os.remove(tmp)
            except OSError:
                pass
            raise
    return path


def _leftovers(target):
    """``(tmp folders, old folders)`` beside ``target`` left by an interrupted ``replace_folder``."""
    parent, base = os.path.split(target)
    pattern = re.compile(re.escape(base) + r"\.(tmp|old)-[0-9a-f]{8}\Z")
    found = {"tmp": [], "old": []}
    try:
        names = os.listdir(parent or ".")
    except OSError:
        return [], []
    for n in names:
        m = pattern.match(n)
        if m and os.path.isdir(os.path.join(parent, n)) and not os.path.islink(os.path.join(parent, n)):
            found[m.group(1)].append(os.path.join(parent, n))
    def by_time(path):
        return os.stat(path).st_mtime_ns

    return sorted(found["tmp"], key=by_time), sorted(found["old"], key=by_time)


def _normal(target):
    target = os.path.abspath(os.fspath(target))
    return target.rstrip(os.sep) or target


def find_folder(target, marker):
    """The folder that holds the complete save of ``target``: ``target`` itself when it holds ``marker``,
    else (a swap was cut between its two renames) the newest ``.old-`` folder holding it, else ``target``."""
    target = _normal(target)
    if os.path.exists(os.path.join(target, marker)):
        return target
    _, olds = _leftovers(target)
    for old in reversed(olds):
        if os.path.exists(os.path.join(old, marker)):
            return old
    return target


def recover_folder(target, marker):
    """Finish what an interrupted ``replace_folder`` left: the complete folder back at ``target``,
    the temporary and old folders removed."""
    target = _normal(target)
    tmps, olds = _leftovers(target)
    if not os.path.lexists(target) and olds:
        complete = [o for o in olds if os.path.exists(os.path.join(o, marker))]
        if complete:
            os.rename(complete[-1], target)
            olds.remove(complete[-1])
    for leftover in tmps + olds:
        shutil.rmtree(leftover, ignore_errors=True)


class FolderInUse(ValueError):
    """Another live process holds the folder (``hold_folder``)."""


_held: dict[str, list[int]] = {}  # lock path -> [fd, depth]: the folders this process holds (held again by it: no wait)
_held_lock = __import__("threading").RLock()


def lock_path(target):
    """The lock file of the folder ``target``: ``.<name>.lock`` beside it (the folder itself is swapped)."""
    parent, base = os.path.split(_normal(target))
    return os.path.join(parent, f".{base}.lock")


def _holder(path):
    try:
        with open_regular(path, 64, "a lock file") as f:
            text = f.read(32).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except (OSError, ValueError):
        return None


def _same_file(fd, path):
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def acquire_folder(target, wait=0.0):
    """Hold the folder ``target`` for this process (reentrant); waits up to ``wait`` seconds for another
    process to let go, then raises ``FolderInUse`` naming the folder and the holder's pid.

    The lock file exists only while a process holds the folder (the last release removes it); a holder
    that was killed leaves it unlocked, and the next one takes it over."""
    path = lock_path(target)
    with _held_lock:
        if path in _held:
            _held[path][1] += 1
            return path
        if fcntl is None:
            _held[path] = [None, 1]
            return path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        deadline = time.monotonic() + wait
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    pid = _holder(path)
                    who = f"process {pid}" if pid else "another process"
                    raise FolderInUse(f"{_normal(target)}: in use by {who}, which is saving there (lock "
                                      f"{path}); a save folder belongs to one run at a time: choose another "
                                      f"folder or wait for it to end") from None
                time.sleep(0.01)
                continue
            if _same_file(fd, path):  # not a lock file its last holder removed meanwhile
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        _held[path] = [fd, 1]
        return path


def release_folder(target):
    """Let go of a folder ``acquire_folder`` held (the last release removes the lock file and unlocks it)."""
    path = lock_path(target)
    with _held_lock:
        entry = _held.get(path)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del _held[path]
            if entry[0] is not None:
                try:
                    os.remove(path)  # while still holding it: whoever opened it meanwhile sees it is stale
                except OSError:
                    pass
                os.close(entry[0])


def _release_all():
    for path in list(_held):
        entry = _held.pop(path)
        if entry[0] is not None:
            try:
                os.remove(path)
            except OSError:
                pass
            os.close(entry[0])


__import__("atexit").register(_release_all)


@contextlib.contextmanager
def hold_folder(target, wait=0.0):
    """``acquire_folder`` for the body's length."""
    acquire_folder(target, wait)
    try:
        yield
    finally:
        release_folder(target)


_claimed: list[str] = []  # the folders claim_folder holds for the run under way


def claim_folder(target):
    """Hold ``target`` for the run under way (a run that will save there, from its start) until
    ``release_claims`` (the run's end; at the latest, this process's): another run naming it is refused at
    once."""
    path = acquire_folder(target, wait=0.0)
    _claimed.append(target)
    return path


def release_claims():
    """The run is over: let go of the folders ``claim_folder`` held for it."""
    while _claimed:
        release_folder(_claimed.pop())


def replace_folder(target, write, allowed=None, marker=None, wait=5.0):
    """Replace the folder ``target`` by one that ``write(folder)`` fills, in one rename.

    ``allowed`` (names) guards a folder that is not ours: if ``target`` holds anything else,
    nothing is written and ``ValueError`` says what it holds.  The folder is held for the save
    (``hold_folder``; up to ``wait`` seconds for another process's save to end).  Returns ``target``.
    """
    target = _normal(target)
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    with hold_folder(target, wait):
        return _replace_folder(target, parent, write, allowed, marker)


def _replace_folder(target, parent, write, allowed, marker):
    if marker is not None:
        recover_folder(target, marker)
    if os.path.lexists(target):
        if not os.path.isdir(target) or os.path.islink(target):
            raise ValueError(f"{target}: exists and is not a folder; not replacing it")
        if allowed is not None:
            foreign = sorted(n for n in os.listdir(target) if n not in allowed and not _old_temp(n))
            if foreign:
                shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
                raise ValueError(f"{target}: holds files that are not part of a save ({shown}); "
                                 f"not replacing it: choose an empty or new folder")
    with deferred():  # Ctrl-C, SIGTERM, SIGHUP take effect once the folder is swapped in (or left as it was)
        tmp = os.path.join(parent, f"{os.path.basename(target)}.tmp-{_token()}")
        os.mkdir(tmp, 0o777)  # 0777 less the umask
        old = None
        try:
            write(tmp)
            fsync_folder(tmp)
            if os.path.lexists(target):
                old = os.path.join(parent, f"{os.path.basename(target)}.old-{_token()}")
                os.rename(target, old)
            os.rename(tmp, target)
            fsync_folder(parent)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            if old is not None and not os.path.lexists(target) and os.path.isdir(old):
                os.rename(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return target


def _old_temp(name):
    """Temporary files of simnet versions that wrote a save file by file."""
    return name.endswith((".tmp", ".tmp.npz")) or re.search(r"\.tmp-[0-9a-f]{8}\Z", name) is not None


SAFE_NAME = re.compile(r"[^\w .,+=@-]+")  # letters, digits, _ and a few marks; no separators
MAX_FILE_NAME = 120  # characters of a file name simnet makes from text


def safe_name(name, limit=MAX_FILE_NAME):
    """A file name made from text read from a file: no separators, no ``..``, no leading dot, bounded."""
    text = SAFE_NAME.sub("_", str(name))
    text = re.sub(r"\.{2,}", "_", text).lstrip(".") or "_"
    if len(text) > limit:
        import hashlib

        digest = hashlib.sha256(str(name).encode("utf-8", "replace")).hexdigest()[:8]
        _, dot, ext = text.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 8 else ""
        text = text[:limit - 9 - len(ext)] + "-" + digest + ext
    return text


def inside(folder, name):
    """``folder/name``, refused with ValueError unless it is inside ``folder``."""
    base = os.path.realpath(os.fspath(folder))
    path = os.path.join(os.fspath(folder), os.fspath(name))
    real = os.path.realpath(path)
    if os.path.commonpath([base, real]) != base or real == base:
        raise ValueError(f"{name!r}: a file name that would be written outside {folder}")
    return path


def _kind(mode):
    for test, words in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                        (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket"),
                        (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return words
    return "not a regular file"


def open_regular(path, limit, what="this file"):
    """``path`` opened for reading (binary), refused unless it is a regular file of at most ``limit`` bytes.

    Opened with ``O_NONBLOCK``, so a FIFO (or a device) is refused at once instead of blocking; checked with
    ``fstat`` on what was opened (a symbolic link to ``/dev/zero`` is a device); a missing file is a
    ``FileNotFoundError``, anything else a ``ValueError``; both name the file and the reason.  ``what`` names
    what the file must hold, for the size's message."""
    path = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    except OSError as e:
        try:
            kind = _kind(os.stat(path).st_mode)
        except OSError:
            kind = None
        if kind is not None and kind != "not a regular file":
            raise ValueError(f"{path}: is {kind}, not a regular file; not reading it") from None
        raise ValueError(f"{path}: cannot be opened ({e.strerror or type(e).__name__})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{path}: is {_kind(st.st_mode)}, not a regular file; not reading it")
        if st.st_size > limit:
            raise ValueError(f"{path}: {st.st_size:,} bytes, more than {what} can hold ({limit:,} bytes); "
                             f"not reading it")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def open_npz(path, limit, what="this file"):
    """``np.load`` of an ``.npz`` from a user's folder, no pickle: a regular file of at most ``limit`` bytes
    (``open_regular``) with nothing after its archive's end (``check_zip_end``)."""
    import numpy as np

    with open_regular(path, limit, what) as f:
        check_zip_end(f, path)
        with np.load(f, allow_pickle=False) as z:
            yield z


MAX_NPZ_BYTES = 16 * 2**30  # a run's file (states, curves) larger than this is refused unread


ZIP_END = b"PK\x05\x06"  # the end-of-central-directory record of a zip archive (an .npz)


def check_zip_end(f, path):
    """Refuse (``ValueError`` naming ``path``) a zip archive with data after its end record: what ``zipfile``
    would silently ignore.  ``f`` is a seekable binary file; it is left at its start."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    span = min(size, 65535 + 22)
    f.seek(size - span)
    tail = f.read(span)
    f.seek(0)
    at = tail.rfind(ZIP_END)
    if at < 0 or at + 22 > len(tail):
        raise ValueError(f"{path}: not an .npz archive (no zip end record)")
    comment = int.from_bytes(tail[at + 20:at + 22], "little")
    extra = len(tail) - (at + 22 + comment)
    if extra != 0:
        raise ValueError(f"{path}: {abs(extra):,} bytes {'after' if extra > 0 else 'missing from'} the end of the "
                         f".npz archive; not reading it")
