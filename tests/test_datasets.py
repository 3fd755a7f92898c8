"""Data loading: the IDX reader and the helpers for training."""
import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from simnet.datasets import one_hot, read_idx, to_inputs


# ---- making IDX files -------------------------------------------------------------------------
def idx_bytes(array, magic=None):
    a = np.asarray(array, dtype=np.uint8)
    magic = (0x0803 if a.ndim == 3 else 0x0801) if magic is None else magic
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in a.shape) + a.tobytes()


def write(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return path


def sample(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8)


# ---- read_idx ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte"])
def test_read_idx_reads_gzip_and_raw(tmp_path, name):
    images, labels = sample(3)
    np.testing.assert_array_equal(read_idx(write(tmp_path / name, idx_bytes(images))), images)
    got = read_idx(write(tmp_path / ("labels" + Path(name).suffix), idx_bytes(labels)))
    assert got.dtype == np.uint8 and got.shape == (3,) and got.flags.writeable
    np.testing.assert_array_equal(got, labels)


def test_read_idx_recognises_gzip_by_content(tmp_path):
    images, _ = sample(2)
    path = tmp_path / "images"
    path.write_bytes(gzip.compress(idx_bytes(images)))
    np.testing.assert_array_equal(read_idx(path), images)


def test_truncated_and_overlong_files_name_the_file_and_sizes(tmp_path):
    data = idx_bytes(sample(3)[0])
    path = write(tmp_path / "t10k-images-idx3-ubyte.gz", data[:16 + 2000])
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz: truncated: header says 3x28x28 = 2352 bytes, "
                                         r"found 2000"):
        read_idx(path)
    path = write(tmp_path / "long", data + b"\0" * 5)
    with pytest.raises(ValueError, match=r"long: overlong: header says 3x28x28 = 2352 bytes, found 2357 \(5 bytes"):
        read_idx(path)
    path = write(tmp_path / "header", data[:10])
    with pytest.raises(ValueError, match="header: truncated header: 3 dimensions need a 16-byte header, found 10"):
        read_idx(path)
    path = write(tmp_path / "empty", b"")
    with pytest.raises(ValueError, match="empty: too short to be an IDX file: 0 bytes"):
        read_idx(path)


@pytest.mark.parametrize("magic, message", [
    (0x12345678, "not an IDX file: magic number 0x12345678, expected 0x00000803"),
    (0x00000F03, "not an IDX file: magic number 0x00000F03"),
    (0x00000D03, r"IDX type code 0x0D \(float32\) is not supported"),
    (0x00000C01, r"IDX type code 0x0C \(int32\) is not supported"),
    (0x00000802, "magic number 0x00000802 gives 2 dimensions; expected 3"),
    (0x00000804, "magic number 0x00000804 gives 4 dimensions"),
])
def test_wrong_magic_or_dims_is_rejected(tmp_path, magic, message):
    path = write(tmp_path / "bad.gz", idx_bytes(sample(2)[0], magic=magic))
    with pytest.raises(ValueError, match=f"bad.gz: {message}"):
        read_idx(path)


def test_zero_dimension_is_rejected(tmp_path):
    path = write(tmp_path / "zero", struct.pack(">IIII", 0x0803, 5, 0, 28))
    with pytest.raises(ValueError, match="zero: header says 5x0x28: a dimension is zero"):
        read_idx(path)


def test_corrupt_gzip_is_a_clear_value_error(tmp_path):
    good = gzip.compress(idx_bytes(sample(20)[0]), mtime=0)
    flipped = bytearray(good)
    flipped[len(good) // 2: len(good) // 2 + 8] = b"\xff" * 8
    for name, data in [("flipped.gz", bytes(flipped)), ("cut.gz", good[: len(good) // 2]),
                       ("crc.gz", good[:-8] + b"\0\0\0\0" + good[-4:])]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ValueError, match=f"{name}: corrupt or truncated gzip stream"):
            read_idx(path)
    path = tmp_path / "plain.gz"
    path.write_bytes(idx_bytes(sample(1)[0]))
    with pytest.raises(ValueError, match="plain.gz: named .gz but not gzip-compressed"):
        read_idx(path)


# ---- helpers for training ---------------------------------------------------------------------
def test_to_inputs_and_one_hot():
    images, labels = sample(4)
    x = to_inputs(images)
    assert x.shape == (4, 784) and x.dtype == np.float32
    np.testing.assert_allclose(x, images.reshape(4, 784) / 255.0, rtol=1e-6)
    assert to_inputs(np.full((1, 28, 28), 255, np.uint8), np.float64).max() == 1.0
    with pytest.raises(TypeError, match="must be uint8"):
        to_inputs(x)
    with pytest.raises(TypeError, match="float32 or float64"):
        to_inputs(images, np.int32)
    y = one_hot(labels, 10, np.float64)
    assert y.shape == (4, 10) and y.dtype == np.float64
    np.testing.assert_array_equal(y.argmax(axis=1), labels)
    assert y.sum() == 4
    with pytest.raises(ValueError, match=r"label 10 at index 1 is out of range 0\.\.9"):
        one_hot([3, 10])
    with pytest.raises(ValueError, match=r"label -1 at index 0"):
        one_hot([-1, 2])
    with pytest.raises(TypeError, match="must be integers"):
        one_hot([0.5])
