"""bAbI task 1, "single supporting fact" (Weston et al. 2015): the text Grokking Deep Learning's chapter 12 reads.

The two files, ``qa1_single-supporting-fact_train.txt`` and ``qa1_single-supporting-fact_test.txt``
(English, version 1.1), are looked for in a folder ``babi-qa1`` the way the image data sets are
(``simnet.data.registry``): ``path`` (or ``path/babi-qa1``), ``$SIMNET_DATA/babi-qa1`` (or
``$SIMNET_DATA``), then the user cache ``cache_dir('babi-qa1')``.  They are not downloaded: the
tasks ship as one archive (https://research.facebook.com/downloads/babi/); put the two files in
one of those places.  Licence: bAbI tasks, Copyright (c) 2015-present, Facebook, Inc., CC BY 3.0
(keep its LICENSE file beside the data).
"""
import os
from pathlib import Path

from .registry import DatasetNotFoundError, cache_dir

BABI = "babi-qa1"
BABI_FILES = {"train": "qa1_single-supporting-fact_train.txt", "test": "qa1_single-supporting-fact_test.txt"}


def find_babi(split="train", path=None):
    """The path of one split's file; ``DatasetNotFoundError`` lists every place searched."""
    if split not in BABI_FILES:
        raise ValueError(f"unknown bAbI split {split!r}; choose 'train' or 'test'")
    name = BABI_FILES[split]
    places = []
    if path is not None:
        places += [Path(path).expanduser(), Path(path).expanduser() / BABI]
    env = os.environ.get("SIMNET_DATA")
    if env:
        places += [Path(env).expanduser() / BABI, Path(env).expanduser()]
    places.append(cache_dir(BABI))
    for folder in places:
        if (folder / name).is_file():
            return folder / name
    searched = "\n".join(f"  - {p}" for p in places) + ("" if env else "\n  - $SIMNET_DATA (not set)")
    raise DatasetNotFoundError(f"bAbI task 1 {split} file {name} not found. Searched:\n{searched}\n"
                               f"It is not downloaded: put it (from https://research.facebook.com/downloads/babi/, "
                               f"tasks_1-20_v1-2, en/) in {cache_dir(BABI)} or $SIMNET_DATA/{BABI}/, or pass path=FOLDER.")


def read_babi_lines(split="train", path=None):
    """The lines of one split's file, as ``readlines()`` gives them (newlines kept)."""
    with open(find_babi(split, path), encoding="utf-8") as f:
        return f.readlines()
