"""Files and folders written whole, with the user's permissions.

- ``write_file(path, write)``: ``write(f)`` fills a temporary file beside ``path``
  (``.<name>.tmp-XXXXXXXX``, created with the user's umask), which is flushed, fsynced
  and renamed over ``path``: the file is the old one or the new one, never a mix.
  A write interrupted by an exception (Ctrl-C included) removes its temporary file; one
  killed outright (SIGKILL) leaves it, and the next write of the same file removes it.
- ``replace_folder(target, write)``: ``write(folder)`` fills a temporary folder beside
  ``target`` (``<target>.tmp-XXXXXXXX``), which is fsynced and swapped in by two renames
  (the old folder aside as ``<target>.old-XXXXXXXX``, the new one in), then the old one is
  removed.  At every moment one complete folder exists: ``target``, or, between the two
  renames, the ``.old-`` one, which ``find_folder`` and the next ``replace_folder`` use.
- ``inside(folder, name)``: the path of ``name`` in ``folder``, refused (ValueError) if it
  would land anywhere else.
"""
import os
import re
import secrets
import shutil


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


def replace_folder(target, write, allowed=None, marker=None):
    """Replace the folder ``target`` by one that ``write(folder)`` fills, in one rename.

    ``allowed`` (names) guards a folder that is not ours: if ``target`` holds anything else,
    nothing is written and ``ValueError`` says what it holds.  Returns ``target``.
    """
    target = _normal(target)
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
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
