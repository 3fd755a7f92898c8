"""Loading a data set: one split, both splits (or a split of the test set), and network inputs.

``load_mnist(split)`` and ``load_fashion_mnist(split)`` (both ``load_dataset(name, split)``)
return ``(images, labels)``: ``uint8`` arrays of shape ``(N, 28, 28)`` and ``(N,)``, with as
many labels as images and every label in 0..9; the files are found (or downloaded) as
``simnet.data.registry`` says.

``load_train_test(name, allow_test_split=True)`` returns both splits, and where only the test
set can be had (MNIST offline) a seeded split of the test set, with an ``info`` dict whose
``"note"`` says so; ``to_inputs`` and ``one_hot`` turn images and labels into what a network
takes.  Data loading only; nothing here trains, and no training module imports this one.
"""
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .idx import NUM_CLASSES, read_split
from .registry import SPLITS, DatasetNotFoundError, _find_in, find_files, get_spec


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
    spec = get_spec(name)
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
    spec = get_spec(name)
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


def load_for_training(name, path=None, download=True, train_size=None, seed=0, dtype=np.float32):
    """Network inputs and one-hot goals of both splits: ``(data, x_train, y_train, x_test, y_test)``.

    ``data`` is ``load_train_test``'s ``TrainTest`` (the uint8 images and labels, and
    ``info``).  ``train_size`` (the scenarios' ``--train-size``) trains on that many training
    images, drawn with ``seed`` (all of them when None); the test set stays whole.  Where MNIST's
    training set is not at hand, its test set is split instead (``train_size`` images train,
    8000 when None, shuffled with ``seed``) and ``data.info["note"]`` says so: print it.

    A ``path`` (the scenarios' ``--data``) must be a folder that holds the data set's files (in it or
    in ``path/<dataset>``): a file, a missing folder or one without them is a
    ``DatasetNotFoundError``, not a silent fall back to the other places searched.
    """
    if path is not None:
        _check_data_folder(name, path)
    data = load_train_test(name, path=path, download=download, allow_test_split=get_spec(name).name == "mnist",
                           train_size=8000 if train_size is None else train_size, seed=seed)
    if train_size is not None and data.info["split"] is None:
        data = subset_training(data, train_size, seed)
    return (data, to_inputs(data.train_images, dtype), one_hot(data.train_labels, dtype=dtype),
            to_inputs(data.test_images, dtype), one_hot(data.test_labels, dtype=dtype))


def subset_training(data, train_size, seed=0):
    """``data`` (a ``TrainTest``) with ``train_size`` of its training images, drawn with ``seed``; the test
    set is kept whole.  ``info["split"]`` records the size and the seed."""
    n = len(data.train_images)
    if isinstance(train_size, bool) or not isinstance(train_size, (int, np.integer)) or not 0 < train_size <= n:
        raise ValueError(f"train_size must be an int in 1..{n:,} (the {get_spec(data.info['dataset']).title} "
                         f"training set's images), got {train_size!r}")
    if train_size == n:
        return data
    rows = np.sort(np.random.default_rng(seed).permutation(n)[:train_size])  # in the file's order
    info = {**data.info, "split": {"train_size": int(train_size), "of": n, "seed": seed}}
    return TrainTest(data.train_images[rows], data.train_labels[rows], data.test_images, data.test_labels, info)


def _check_data_folder(name, path):
    spec = get_spec(name)
    p = Path(path).expanduser()
    if not p.is_dir():
        raise DatasetNotFoundError(f"{path}: {'is not a folder' if p.exists() else 'does not exist'} "
                                   f"(the folder given for the {spec.title} files)")
    if not any(_find_in(folder, stems)[0] is not None for folder in (p, p / spec.name) for stems in SPLITS.values()):
        raise DatasetNotFoundError(f"{path}: holds no {spec.title} files (neither split's pair, in it or in "
                                   f"{p / spec.name}); give the folder that holds them, or leave it out to search "
                                   f"the usual places")
