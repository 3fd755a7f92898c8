"""The IDX file format (MNIST's): read one file and check it completely, read a split's pair.

``read_idx(path)`` reads one IDX file, gzip-compressed or raw, and checks its magic number,
dimensions, and that the data is exactly as long as the header says.  Every problem is a
``ValueError`` whose message starts with the file's path.  ``read_split(files)`` reads a split's
images and labels and checks that they belong together (28x28 images, as many labels as images,
every label in 0..9).
"""
import gzip
import math
import zlib
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 0x00000803  # uint8, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 0x00000801  # uint8, 1 dimension (count)
_IDX_TYPES = {0x08: "uint8", 0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)


MAX_IDX_BYTES = 2**30
MAX_IDX_FILE_BYTES = 2 * MAX_IDX_BYTES  # a file larger than this is refused unopened (the header's check is the real one)
"""The largest data an IDX file may announce in its header (1 GiB; MNIST's largest file holds 47 MB):
a larger one is refused before anything is unpacked."""
OVERLONG_COUNTED = 2**20
"""Bytes past the announced data that are counted (for the message) before reading stops."""


def read_idx(path):
    """Read an IDX file of uint8 data, gzip-compressed or raw; return a uint8 numpy array.

    Accepts magic 0x00000803 (images, 3-D: count x rows x columns) and 0x00000801 (labels,
    1-D).  Raises ``ValueError`` naming the file for a bad magic number, another type code or
    number of dimensions, a zero dimension, a truncated or overlong file, or a corrupt gzip
    stream.  A missing file raises ``FileNotFoundError``.  The header's dimensions bound what
    is read: a header announcing more than ``MAX_IDX_BYTES`` is refused before unpacking, and
    reading stops ``OVERLONG_COUNTED`` bytes past the announced end (a small .gz that unpacks to
    gigabytes is refused after the header's size plus 1 MiB).
    """
    path = Path(path)
    data, extra = _read_bytes(path)
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
    if extra > OVERLONG_COUNTED:
        raise ValueError(f"{path}: overlong: header says {shape} = {expected} bytes, found more than "
                         f"{expected + OVERLONG_COUNTED} (reading stopped {OVERLONG_COUNTED:,} bytes past the end)")
    if extra:
        raise ValueError(f"{path}: overlong: header says {shape} = {expected} bytes, found {expected + extra} "
                         f"({extra} bytes too many)")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(dims).copy()


def _read_bytes(path):
    """``(bytes, extra)``: the header and the data it announces (no more), decompressed when the file is
    gzip (recognised by its first two bytes), and the count of bytes past them (up to
    ``OVERLONG_COUNTED`` + 1).  A header announcing more than ``MAX_IDX_BYTES`` is refused here."""
    from ..saving.files import open_regular

    with open_regular(path, MAX_IDX_FILE_BYTES, "an IDX file") as f:  # no FIFO, device or folder
        start = f.read(2)
        f.seek(0)
        if start == b"\x1f\x8b":
            try:
                with gzip.GzipFile(fileobj=f, mode="rb") as g:
                    return _read_sized(g, path)
            except (gzip.BadGzipFile, EOFError, zlib.error) as e:
                raise ValueError(f"{path}: corrupt or truncated gzip stream ({type(e).__name__}: {e})") from None
        if path.suffix == ".gz":
            raise ValueError(f"{path}: named .gz but not gzip-compressed: it starts with bytes "
                             f"{start.hex() or 'none'}, a gzip file with 1f8b")
        return _read_sized(f, path)


def _read_sized(stream, path):
    head = stream.read(4)
    if len(head) < 4 or head[0] or head[1] or head[3] not in (1, 3):
        return head, 0  # read_idx says what is wrong with it
    ndim = head[3]
    head += stream.read(4 * ndim)
    if len(head) < 4 + 4 * ndim:
        return head, 0
    dims = [int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    size = math.prod(dims)
    if size > MAX_IDX_BYTES:
        raise ValueError(f"{path}: header says {'x'.join(map(str, dims))} = {size:,} bytes, more than an IDX file "
                         f"simnet reads ({MAX_IDX_BYTES:,}): refused before unpacking")
    body = stream.read(size)
    extra = 0
    while len(body) == size and extra <= OVERLONG_COUNTED:  # count what follows, a bounded amount
        chunk = stream.read(min(1 << 16, OVERLONG_COUNTED + 1 - extra) or 1)
        if not chunk:
            break
        extra += len(chunk)
    return head + body, extra


def check_labels(labels, source, num_classes=NUM_CLASSES):
    """Raise ``ValueError`` naming ``source`` and the first label outside 0..num_classes-1."""
    bad = np.flatnonzero(labels >= num_classes)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{source}: label {int(labels[i])} at index {i} is out of range 0..{num_classes - 1} "
                         f"({bad.size} labels out of range)")


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

