"""MNIST and Fashion-MNIST: the IDX format, where the files are found, downloads, the loaders.

    idx.py        read_idx, read_split: the IDX file format, checked completely
    registry.py   DATASETS, SYSTEM_LOCATIONS, find_files: the data sets and the search order
    download.py   download_file: pooch downloads into the user cache, length and sha256 checked
    babi.py       find_babi, read_babi_lines: bAbI task 1's text (Grokking Deep Learning, chapter 12)
    loaders.py    load_dataset, load_train_test, load_for_training, to_inputs, one_hot

Data loading only; nothing here trains, and no training module imports this package.
"""
from .babi import BABI_FILES, find_babi, read_babi_lines
from .download import DOWNLOAD_ATTEMPTS, ChecksumError, DownloadError
from .idx import IMAGE_SHAPE, IMAGES_MAGIC, LABELS_MAGIC, NUM_CLASSES, check_labels, read_idx, read_split
from .loaders import (
                      TrainTest,
                      load_dataset,
                      load_fashion_mnist,
                      load_for_training,
                      load_mnist,
                      load_test_split,
                      load_train_test,
                      one_hot,
                      split_test_set,
                      to_inputs,
)
from .registry import (
                      DATASETS,
                      SPLITS,
                      SYSTEM_LOCATIONS,
                      DataFiles,
                      DatasetNotFoundError,
                      DatasetSpec,
                      cache_dir,
                      find_files,
                      get_spec,
)

__all__ = [
                      "BABI_FILES",
                      "DATASETS",
                      "DOWNLOAD_ATTEMPTS",
                      "IMAGES_MAGIC",
                      "IMAGE_SHAPE",
                      "LABELS_MAGIC",
                      "NUM_CLASSES",
                      "SPLITS",
                      "SYSTEM_LOCATIONS",
                      "ChecksumError",
                      "DataFiles",
                      "DatasetNotFoundError",
                      "DatasetSpec",
                      "DownloadError",
                      "TrainTest",
                      "cache_dir",
                      "check_labels",
                      "find_babi",
                      "find_files",
                      "get_spec",
                      "load_dataset",
                      "load_fashion_mnist",
                      "load_for_training",
                      "load_mnist",
                      "load_test_split",
                      "load_train_test",
                      "one_hot",
                      "read_babi_lines",
                      "read_idx",
                      "read_split",
                      "split_test_set",
                      "to_inputs",
]
