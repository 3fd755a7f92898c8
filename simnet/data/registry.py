"""The data sets simnet knows, and where their files are looked for (the search order).

A split needs two files, named as on the official mirrors (or the same names without ``.gz``)::

    train   train-images-idx3-ubyte.gz   train-labels-idx1-ubyte.gz   (60,000 samples)
    test    t10k-images-idx3-ubyte.gz    t10k-labels-idx1-ubyte.gz    (10,000 samples)

They are looked for, in this order, in a folder that holds both:

1. ``path``, the folder you pass, then ``path/<dataset>``;
2. ``$SIMNET_DATA/<dataset>``, then ``$SIMNET_DATA`` (an environment variable);
3. the user cache, ``cache_dir(dataset)`` (``~/.cache/simnet/<dataset>`` on Linux);
4. the system locations in ``SYSTEM_LOCATIONS``: Debian's package ``dataset-fashion-mnist``
   installs ``/usr/share/datasets/fashion-mnist``;
5. otherwise they are downloaded into the user cache with pooch (``simnet.data.download``),
   from the official mirror or ``base_url`` (or ``$SIMNET_DATA_URL/<dataset>/``).

``<dataset>`` is ``mnist`` or ``fashion-mnist``.  Files found locally are checked by their IDX
structure, not by checksum: a file recompressed by someone else is still the same data.  When
nothing is found and the download fails, ``DatasetNotFoundError`` lists every place searched
and says where to put the files by hand.
"""
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .download import ChecksumError, DownloadError, check_timeout, download_file  # noqa: F401

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

@dataclass(frozen=True)
class TextDatasetSpec:
    """A text data set: its folder name, its files by split, their sha256 (as published with the data here)
    and where it comes from.  Found in the same places as the image data sets (``_candidates``); not
    downloaded (see ``simnet.data.babi``)."""

    name: str
    title: str
    files: dict
    sha256: dict
    source: str
    licence: str


TEXT_DATASETS = {
    "babi-qa1": TextDatasetSpec(
        name="babi-qa1",
        title="bAbI task 1 (single supporting fact)",
        files={"train": "qa1_single-supporting-fact_train.txt", "test": "qa1_single-supporting-fact_test.txt"},
        sha256={"qa1_single-supporting-fact_train.txt":
                "c64ba9b1a49bbb111ffc4cd2ae4f129d25c012399dd7ade9679eea464b9afb05",
                "qa1_single-supporting-fact_test.txt":
                "55acf66cef2f6d798e2aa1d056e1ec8f24e910ea9215b639450574321132959b"},
        source="https://research.facebook.com/downloads/babi/ (tasks_1-20_v1-2, en/)",
        licence="Copyright (c) 2015-present, Facebook, Inc., CC BY 3.0",
    ),
}

SYSTEM_LOCATIONS = {
    "mnist": [],
    "fashion-mnist": [Path("/usr/share/datasets/fashion-mnist")],
    "babi-qa1": [],
}
"""Folders searched after the user cache, per data set (a module-level list tests can patch)."""


class DatasetNotFoundError(FileNotFoundError):
    """A split's files are in none of the places searched and could not be downloaded."""



class DataFiles(NamedTuple):
    """Where a split's two files were found: ``origin`` says which search step found them."""

    images: Path
    labels: Path
    origin: str



def get_spec(name):
    """The ``DatasetSpec`` of ``name`` ('mnist', 'fashion-mnist', 'fashion_mnist' or 'fashion')."""
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
    spec = get_spec(name)
    _check_split(split)
    timeout = check_timeout(timeout)
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
            paths = [download_file(spec, f"{stem}.gz", base, cache, timeout) for stem in stems]
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

