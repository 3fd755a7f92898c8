"""bAbI task 1, "single supporting fact" (Weston et al. 2015): the text Grokking Deep Learning's chapter 12 reads.

The two files, ``qa1_single-supporting-fact_train.txt`` and ``qa1_single-supporting-fact_test.txt``
(English, version 1.1), are looked for in a folder ``babi-qa1`` the way the image data sets are
(``simnet.data.registry``): ``path`` (or ``path/babi-qa1``), ``$SIMNET_DATA/babi-qa1`` (or
``$SIMNET_DATA``), then the user cache ``cache_dir('babi-qa1')``.  They are not downloaded: the
tasks ship as one archive (https://research.facebook.com/downloads/babi/); put the two files in
one of those places.  Licence: bAbI tasks, Copyright (c) 2015-present, Facebook, Inc., CC BY 3.0
(keep its LICENSE file beside the data).
"""
from .registry import TEXT_DATASETS, DatasetNotFoundError, _candidates

BABI = "babi-qa1"
BABI_FILES = TEXT_DATASETS[BABI].files


def find_babi(split="train", path=None):
    """The path of one split's file, searched as ``registry._candidates`` orders the places (``path``,
    ``$SIMNET_DATA``, the user cache, ``SYSTEM_LOCATIONS``); ``DatasetNotFoundError`` lists every place searched."""
    if split not in BABI_FILES:
        raise ValueError(f"unknown bAbI split {split!r}; choose 'train' or 'test'")
    spec = TEXT_DATASETS[BABI]
    name = spec.files[split]
    searched = []
    for folder, origin in _candidates(spec, path):
        if folder is None:
            searched.append(origin)
            continue
        if (folder / name).is_file():
            return folder / name
        searched.append(f"{folder} ({origin})")
    raise DatasetNotFoundError(f"{spec.title}: {name} not found. Searched: {'; '.join(searched)}. It is not "
                               f"downloaded: put it (from {spec.source}) in $SIMNET_DATA/{BABI}/ or the user cache, "
                               f"or pass path=FOLDER.")


def read_babi_lines(split="train", path=None):
    """The lines of one split's file, as ``readlines()`` gives them (newlines kept)."""
    with open(find_babi(split, path), encoding="utf-8") as f:
        return f.readlines()
