"""MNIST and Fashion-MNIST: the IDX file reader, the loaders and two helpers for training.

Data loading only; nothing here trains, and no training module imports this one.

``read_idx(path)`` reads one IDX file (the MNIST file format), gzip-compressed or raw, and
checks it completely: magic number, dimensions, and that the data is exactly as long as the
header says.  Every problem is a ``ValueError`` whose message starts with the file's path.

``load_mnist(split)`` and ``load_fashion_mnist(split)`` (both ``load_dataset(name, split)``)
return ``(images, labels)``: ``uint8`` arrays of shape ``(N, 28, 28)`` and ``(N,)``, with as
many labels as images and every label in 0..9.  A split needs two files, named as on the
official mirrors (or the same names without ``.gz``)::

    train   train-images-idx3-ubyte.gz   train-labels-idx1-ubyte.gz   (60,000 samples)
    test    t10k-images-idx3-ubyte.gz    t10k-labels-idx1-ubyte.gz    (10,000 samples)

They are looked for, in this order, in a folder that holds both:

1. ``path``, the folder you pass, then ``path/<dataset>``;
2. ``$SIMNET_DATA/<dataset>``, then ``$SIMNET_DATA`` (an environment variable);
3. the user cache, ``cache_dir(dataset)`` (``~/.cache/simnet/<dataset>`` on Linux);
4. the system locations in ``SYSTEM_LOCATIONS``: Debian's package ``dataset-fashion-mnist``
   installs ``/usr/share/datasets/fashion-mnist``; for MNIST, ``shared/datasets/mnist``
   beside this repository when it exists (it holds the MNIST *test* set only);
5. otherwise they are downloaded into the user cache with pooch, from the official mirror or
   ``base_url`` (or ``$SIMNET_DATA_URL/<dataset>/``), with a progress bar.  Each file is
   written to a temporary file in the cache, its length checked against the server's
   ``Content-Length`` and its sha256 against the published one, and only then renamed into
   place, so a truncated, stalled, failed or corrupted download leaves no file behind.  A
   server error (HTTP 5xx or 429), a refused or dropped connection or a truncated transfer
   is tried again, ``DOWNLOAD_ATTEMPTS`` times in all with a growing pause; a timeout
   (nothing received for ``timeout`` seconds), an HTTP 4xx or a wrong checksum is not.

``<dataset>`` is ``mnist`` or ``fashion-mnist``.  Files found locally are checked by their IDX
structure, not by checksum: a file recompressed by someone else is still the same data.  When
nothing is found and the download fails, ``DatasetNotFoundError`` lists every place searched
and says where to put the files by hand.

``load_train_test(name, allow_test_split=True)`` returns both splits, and where only the test
set can be had (MNIST offline) a seeded split of the test set, with an ``info`` dict whose
``"note"`` says so; ``to_inputs`` and ``one_hot`` turn images and labels into what a network
takes.
"""
import gzip
import math
import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

IMAGES_MAGIC = 0x00000803  # uint8, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 0x00000801  # uint8, 1 dimension (count)
_IDX_TYPES = {0x08: "uint8", 0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)

SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@dataclass(frozen=True)
class DatasetSpec:
    """What the loader knows about one data set: its folder name, mirror and checksums.

    ``sha256`` maps each official ``.gz`` file name to the sha256 of the file as the mirror
    serves it; only downloads are checked against it.
    """

    name: str
    title: str
    url: str
    sha256: dict
    class_names: tuple


DATASETS = {
    "mnist": DatasetSpec(
        name="mnist",
        title="MNIST",
        url="https://ossci-datasets.s3.amazonaws.com/mnist/",
        sha256={
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        class_names=tuple(str(d) for d in range(10)),
    ),
    "fashion-mnist": DatasetSpec(
        name="fashion-mnist",
        title="Fashion-MNIST",
        url="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        sha256={
            "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        },
        class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    ),
}

# <repo>/../shared/datasets/mnist: the MNIST test set kept beside this project's checkouts.
_SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"

SYSTEM_LOCATIONS = {
    "mnist": [_SHARED_MNIST] if _SHARED_MNIST.is_dir() else [],
    "fashion-mnist": [Path("/usr/share/datasets/fashion-mnist")],
}
"""Folders searched after the user cache, per data set (a module-level list tests can patch)."""


class DatasetNotFoundError(FileNotFoundError):
    """A split's files are in none of the places searched and could not be downloaded."""


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


DOWNLOAD_ATTEMPTS = 3
"""Tries per file when a download fails in a way that may pass (see ``DownloadError.retry``)."""
RETRY_BACKOFF = 1.0
"""Seconds to wait before the second try; doubled before each later one."""


class DataFiles(NamedTuple):
    """Where a split's two files were found: ``origin`` says which search step found them."""

    images: Path
    labels: Path
    origin: str


class TrainTest(NamedTuple):
    """Both splits, and ``info``: the dataset, where each split came from, and a ``note``.

    ``info["note"]`` is None for the official split; otherwise it is a sentence to print,
    saying the network was trained on part of the test set.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    info: dict


# ---- the IDX format ---------------------------------------------------------------------------
def read_idx(path):
    """Read an IDX file of uint8 data, gzip-compressed or raw; return a uint8 numpy array.

    Accepts magic 0x00000803 (images, 3-D: count x rows x columns) and 0x00000801 (labels,
    1-D).  Raises ``ValueError`` naming the file for a bad magic number, another type code or
    number of dimensions, a zero dimension, a truncated or overlong file, or a corrupt gzip
    stream.  A missing file raises ``FileNotFoundError``.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path}: too short to be an IDX file: {len(data)} bytes, the magic number alone is 4")
    magic = int.from_bytes(data[:4], "big")
    type_code, ndim = data[2], data[3]
    if data[0] or data[1] or type_code not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file: magic number 0x{magic:08X}, expected "
                         f"0x{IMAGES_MAGIC:08X} (images) or 0x{LABELS_MAGIC:08X} (labels)")
    if type_code != 0x08:
        raise ValueError(f"{path}: IDX type code 0x{type_code:02X} ({_IDX_TYPES[type_code]}) is not supported: "
                         f"only uint8 files are read (magic 0x{IMAGES_MAGIC:08X} images, 0x{LABELS_MAGIC:08X} labels)")
    if ndim not in (1, 3):
        raise ValueError(f"{path}: magic number 0x{magic:08X} gives {ndim} dimensions; expected 3 "
                         f"(images, 0x{IMAGES_MAGIC:08X}) or 1 (labels, 0x{LABELS_MAGIC:08X})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: truncated header: {ndim} dimensions need a {header}-byte header, "
                         f"found {len(data)} bytes")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    shape = "x".join(str(d) for d in dims)
    if 0 in dims:
        raise ValueError(f"{path}: header says {shape}: a dimension is zero")
    expected = math.prod(dims)
    found = len(data) - header
    if found < expected:
        raise ValueError(f"{path}: truncated: header says {shape} = {expected} bytes, found {found}")
    if found > expected:
        raise ValueError(f"{path}: overlong: header says {shape} = {expected} bytes, found {found} "
                         f"({found - expected} bytes too many)")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(dims).copy()


def _read_bytes(path):
    """The file's bytes, decompressed when it is gzip (recognised by its first two bytes)."""
    with open(path, "rb") as f:
        start = f.read(2)
        f.seek(0)
        if start == b"\x1f\x8b":
            try:
                with gzip.GzipFile(fileobj=f, mode="rb") as g:
                    return g.read()
            except (gzip.BadGzipFile, EOFError, zlib.error) as e:
                raise ValueError(f"{path}: corrupt or truncated gzip stream ({type(e).__name__}: {e})") from None
        if path.suffix == ".gz":
            raise ValueError(f"{path}: named .gz but not gzip-compressed: it starts with bytes "
                             f"{start.hex() or 'none'}, a gzip file with 1f8b")
        return f.read()


def check_labels(labels, source, num_classes=NUM_CLASSES):
    """Raise ``ValueError`` naming ``source`` and the first label outside 0..num_classes-1."""
    bad = np.flatnonzero(labels >= num_classes)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{source}: label {int(labels[i])} at index {i} is out of range 0..{num_classes - 1} "
                         f"({bad.size} labels out of range)")


# ---- finding the files ------------------------------------------------------------------------
def _spec(name):
    key = str(name).lower().replace("_", "-")
    if key == "fashion":
        key = "fashion-mnist"
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}")
    return DATASETS[key]


def _check_split(split):
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose 'train' or 'test'")


def cache_dir(name):
    """The user cache folder of one data set, where downloads go: ``os_cache('simnet')/<name>``."""
    import pooch

    return Path(pooch.os_cache("simnet")) / name


def _candidates(spec, path):
    """The folders to search, in order, as ``(folder, what it is)``; folder None notes an unset variable."""
    places = []
    if path is not None:
        p = Path(path).expanduser()
        places += [(p, "path argument"), (p / spec.name, "path argument")]
    env = os.environ.get("SIMNET_DATA")
    if env:
        e = Path(env).expanduser()
        places += [(e / spec.name, "SIMNET_DATA"), (e, "SIMNET_DATA")]
    else:
        places.append((None, "$SIMNET_DATA (not set)"))
    places.append((cache_dir(spec.name), "user cache"))
    places += [(Path(p), "system location") for p in SYSTEM_LOCATIONS.get(spec.name, [])]
    return places


def _find_in(folder, stems):
    """``(images, labels)`` paths in ``folder`` (``.gz`` preferred), or None and what was missing."""
    if not folder.is_dir():
        return None, "does not exist" if not folder.exists() else "is not a folder"
    found, missing = [], []
    for stem in stems:
        for candidate in (folder / f"{stem}.gz", folder / stem):
            if candidate.is_file():
                found.append(candidate)
                break
        else:
            missing.append(f"{stem}[.gz]")
    if missing:
        return None, "has neither file" if len(missing) == 2 else f"missing {missing[0]}"
    return tuple(found), None


def _download_base(spec, base_url):
    if base_url:
        return str(base_url)
    env = os.environ.get("SIMNET_DATA_URL")
    if env:
        return f"{env.rstrip('/')}/{spec.name}/"
    return spec.url


def find_files(name, split="train", path=None, download=True, base_url=None, timeout=30):
    """Locate (or download) the two files of one split; returns ``DataFiles``.

    The search order is the module docstring's.  ``base_url`` is the folder URL that holds
    the four ``.gz`` files (default: ``$SIMNET_DATA_URL/<dataset>/``, else the official
    mirror); ``timeout`` is in seconds, per connection attempt and per read: a server that
    sends nothing for that long fails the download.  Raises ``DatasetNotFoundError`` when
    the files are nowhere and cannot be downloaded (its message says why the download
    failed and where to put the files by hand), ``ChecksumError`` when a download does not
    match its published sha256.
    """
    spec = _spec(name)
    _check_split(split)
    timeout = _check_timeout(timeout)
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a folder name (str or os.PathLike), got {type(path).__name__}")
    if base_url is not None and not isinstance(base_url, str):
        raise TypeError(f"base_url must be a URL string, got {type(base_url).__name__}")
    stems = SPLITS[split]
    searched = []
    for folder, origin in _candidates(spec, path):
        if folder is None:
            searched.append(origin)
            continue
        files, why = _find_in(folder, stems)
        if files is not None:
            return DataFiles(files[0], files[1], origin)
        other = "test" if split == "train" else "train"
        if why == "has neither file" and _find_in(folder, SPLITS[other])[0] is not None:
            why += f" (it holds the {other} set only)"
        searched.append(f"{folder} ({origin}): {why}")

    cache = cache_dir(spec.name)
    base = _download_base(spec, base_url)
    if not download:
        failure = "downloading is turned off (download=False)"
    else:
        try:
            paths = [_download(spec, f"{stem}.gz", base, cache, timeout) for stem in stems]
            return DataFiles(paths[0], paths[1], "downloaded")
        except DownloadError as e:
            failure = f"download from {base} failed: {e}"
        except OSError as e:  # e.g. the cache folder cannot be written
            failure = f"download from {base} failed: {type(e).__name__}: {e}"
    wanted = " and ".join(f"{stem}.gz" for stem in stems)
    lines = [f"{spec.title} {split} set not found: it needs {wanted} (or the same names without .gz).",
             "Searched:"]
    lines += [f"  - {s}" for s in searched]
    lines += [f"Then {failure}.",
              f"Put the two files (from {spec.url}) by hand in one of:",
              f"  {cache}",
              f"  $SIMNET_DATA/{spec.name}/   (set SIMNET_DATA to a folder of your choice)",
              "or pass path=FOLDER."]
    raise DatasetNotFoundError("\n".join(lines))


def _check_timeout(timeout):
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float, np.integer, np.floating)):
        raise TypeError(f"timeout must be a number of seconds, got {type(timeout).__name__}")
    if not (math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout must be a positive finite number of seconds, got {timeout!r}")
    return float(timeout)


class _HTTPDownload:
    """A pooch downloader: one HTTP GET with a timeout, the body checked against Content-Length.

    Every failure is a ``DownloadError`` saying what happened; ``received`` is the number of
    bytes the last call wrote.  The body is read as sent (``Accept-Encoding: identity``), so
    its length and sha256 are those of the file on the server.
    """

    def __init__(self, timeout, progressbar=True):
        self.timeout = timeout
        self.progressbar = progressbar
        self.received = 0

    def __call__(self, url, output_file, pooch_instance=None):
        import http.client
        import socket

        import requests
        import urllib3

        self.received = 0
        t = self.timeout
        try:
            response = requests.get(url, stream=True, timeout=(t, t), headers={"Accept-Encoding": "identity"})
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
            except requests.exceptions.RequestException as e:
                of = f" of {total:,}" if total is not None else ""
                if _find(e, (urllib3.exceptions.TimeoutError, socket.timeout)) is not None:
                    raise DownloadError(f"timed out: {url} stalled after {self.received:,}{of} bytes: nothing "
                                        f"received for {t:g} s (timeout={t:g})") from None
                short = _find(e, http.client.IncompleteRead)  # knows the bytes read, written or not
                got = short.partial if isinstance(getattr(short, "partial", None), int) else self.received
                raise DownloadError(f"truncated: the connection to {url} broke after {got:,}{of} bytes",
                                    retry=True) from None
            finally:
                if bar is not None:
                    bar.close()
        if total is not None and self.received != total:
            raise DownloadError(f"truncated: {url} sent {self.received:,} of the {total:,} bytes its "
                                f"Content-Length announced", retry=True)


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


def _download(spec, fname, base, cache, timeout):
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


# ---- loading ----------------------------------------------------------------------------------
def read_split(files):
    """Read and check a split's two files (``DataFiles`` or ``(images, labels)`` paths)."""
    images_path, labels_path = Path(files[0]), Path(files[1])
    images = read_idx(images_path)
    if images.ndim != 3:
        raise ValueError(f"{images_path}: expected images (magic 0x{IMAGES_MAGIC:08X}, 3-D), "
                         f"found a {images.ndim}-D file of shape {images.shape}")
    if images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"{images_path}: images are {images.shape[1]}x{images.shape[2]}, expected 28x28")
    labels = read_idx(labels_path)
    if labels.ndim != 1:
        raise ValueError(f"{labels_path}: expected labels (magic 0x{LABELS_MAGIC:08X}, 1-D), "
                         f"found a {labels.ndim}-D file of shape {labels.shape}")
    if len(labels) != len(images):
        raise ValueError(f"{labels_path} has {len(labels)} labels but {images_path} has {len(images)} images")
    check_labels(labels, labels_path)
    return images, labels


def load_dataset(name, split="train", path=None, download=True, base_url=None, timeout=30):
    """``(images, labels)`` of one split: uint8 ``(N, 28, 28)`` and uint8 ``(N,)`` in 0..9.

    ``name`` is ``'mnist'`` or ``'fashion-mnist'``, ``split`` ``'train'`` or ``'test'``; the
    other arguments are ``find_files``'s.
    """
    return read_split(find_files(name, split, path, download, base_url, timeout))


def load_mnist(split="train", path=None, download=True, base_url=None, timeout=30):
    """MNIST handwritten digits: ``load_dataset('mnist', ...)``."""
    return load_dataset("mnist", split, path, download, base_url, timeout)


def load_fashion_mnist(split="train", path=None, download=True, base_url=None, timeout=30):
    """Fashion-MNIST (Zalando article images): ``load_dataset('fashion-mnist', ...)``."""
    return load_dataset("fashion-mnist", split, path, download, base_url, timeout)


def split_test_set(images, labels, train_size=8000, seed=0):
    """Split one set into ``(train_images, train_labels, test_images, test_labels)``.

    With ``seed=None`` the first ``train_size`` samples train and the rest test.  With a seed
    (the default) the samples are shuffled first: the MNIST test set's first 5,000 digits are
    cleaner than its last 5,000 (they come from different writers), so a plain cut would test
    on the hardest half only.
    """
    n = len(images)
    if isinstance(train_size, bool) or not isinstance(train_size, (int, np.integer)) or not 0 < train_size < n:
        raise ValueError(f"train_size must be an int in 1..{n - 1} for {n} samples, got {train_size!r}")
    order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    tr, te = order[:train_size], order[train_size:]
    return images[tr], labels[tr], images[te], labels[te]


def load_test_split(name="mnist", path=None, download=True, base_url=None, timeout=30,
                    train_size=8000, seed=0, reason=None):
    """Train and evaluate on parts of the test set only (for MNIST offline); returns ``TrainTest``.

    ``info["note"]`` says so in a sentence to print; ``reason`` (why the training set was not
    used) is added to it.
    """
    spec = _spec(name)
    files = find_files(spec.name, "test", path, download, base_url, timeout)
    images, labels = read_split(files)
    parts = split_test_set(images, labels, train_size, seed)
    how = "first/last" if seed is None else f"shuffled with seed {seed}"
    note = (f"trained on part of the {spec.title} test set: {len(parts[0]):,} of its images for training, "
            f"the other {len(parts[2]):,} for testing ({how})")
    if reason:
        note = f"{spec.title} training set not available ({reason}); {note}"
    note += f"; accuracy is not comparable with results on the full {spec.title} test set"
    info = {"dataset": spec.name, "train_source": str(files.images), "test_source": str(files.images),
            "origin": files.origin, "split": {"train_size": len(parts[0]), "seed": seed}, "note": note}
    return TrainTest(*parts, info)


def load_train_test(name, path=None, download=True, base_url=None, timeout=30,
                    allow_test_split=False, train_size=8000, seed=0):
    """Both splits as ``TrainTest(train_images, train_labels, test_images, test_labels, info)``.

    With ``allow_test_split=True``, when the training set is not found (and cannot be
    downloaded) but the test set is, the test set is split instead (``load_test_split``) and
    ``info["note"]`` says so; print it.  For the official split ``info["note"]`` is None.
    """
    spec = _spec(name)
    try:
        train_files = find_files(spec.name, "train", path, download, base_url, timeout)
    except DatasetNotFoundError as e:
        if not allow_test_split:
            raise
        try:
            return load_test_split(spec.name, path, download, base_url, timeout, train_size, seed,
                                   reason="not found locally" + (", and the download failed" if download else ""))
        except DatasetNotFoundError as e2:
            raise DatasetNotFoundError(f"{e}\n\nNor could the test set be used instead:\n{e2}") from None
    test_files = find_files(spec.name, "test", path, download, base_url, timeout)
    train = read_split(train_files)
    test = read_split(test_files)
    info = {"dataset": spec.name, "train_source": str(train_files.images), "test_source": str(test_files.images),
            "origin": train_files.origin, "split": None, "note": None}
    return TrainTest(*train, *test, info)


# ---- helpers for training ---------------------------------------------------------------------
def _float_dtype(dtype, where):
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise TypeError(f"{where}: dtype must be float32 or float64, got {dt}")
    return dt


def to_inputs(images, dtype=np.float32):
    """Images as network inputs: uint8 ``(N, 28, 28)`` (or ``(N, 784)``) -> ``(N, 784)`` in [0, 1].

    For one image pass ``images[i:i + 1]``.
    """
    images = np.asarray(images)
    dt = _float_dtype(dtype, "to_inputs")
    if images.dtype != np.uint8:
        raise TypeError(f"to_inputs: images must be uint8 (0..255), as the loaders return them; got {images.dtype}")
    if images.ndim not in (2, 3) or len(images) == 0:
        raise ValueError(f"to_inputs: images must have shape (N, rows, columns) or (N, pixels) with N > 0, "
                         f"got {images.shape}")
    out = images.reshape(len(images), -1).astype(dt)
    out /= 255
    return out


def one_hot(labels, num_classes=NUM_CLASSES, dtype=np.float32):
    """Labels ``(N,)`` of ints in 0..num_classes-1 -> goals ``(N, num_classes)``, 1 at each label."""
    labels = np.asarray(labels)
    dt = _float_dtype(dtype, "one_hot")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be a positive int, got {num_classes!r}")
    if labels.ndim != 1:
        raise ValueError(f"one_hot: labels must have shape (N,), got {labels.shape}")
    if labels.size and labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got {labels.dtype}")
    bad = np.flatnonzero((labels < 0) | (labels >= num_classes))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"one_hot: label {labels[i]} at index {i} is out of range 0..{num_classes - 1}")
    out = np.zeros((len(labels), num_classes), dtype=dt)
    out[np.arange(len(labels)), labels] = 1
    return out


def load_for_training(name, path=None, download=True, train_size=8000, seed=0, dtype=np.float32):
    """Network inputs and one-hot goals of both splits: ``(data, x_train, y_train, x_test, y_test)``.

    ``data`` is ``load_train_test``'s ``TrainTest`` (the uint8 images and labels, and
    ``info``).  Where MNIST's training set is not at hand, its test set is split
    instead (``train_size`` images train, shuffled with ``seed``) and
    ``data.info["note"]`` says so: print it.
    """
    data = load_train_test(name, path=path, download=download, allow_test_split=_spec(name).name == "mnist",
                           train_size=train_size, seed=seed)
    return (data, to_inputs(data.train_images, dtype), one_hot(data.train_labels, dtype=dtype),
            to_inputs(data.test_images, dtype), one_hot(data.test_labels, dtype=dtype))
