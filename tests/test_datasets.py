"""Data loading: the IDX reader, the loaders' search order, downloads from a local server, real data."""
import dataclasses
import functools
import gzip
import hashlib
import http.server
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from simnet.data import (ChecksumError, DatasetNotFoundError, download, find_files, load_dataset, load_fashion_mnist,
                         load_mnist, load_test_split, load_train_test, one_hot, read_idx, registry, split_test_set,
                         to_inputs)

from helpers import idx_bytes, needs_mnist_full, needs_mnist_test

DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
TEST_STEMS = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
TRAIN_STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")


# ---- making IDX files -------------------------------------------------------------------------
def write(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return path


def sample(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8)


def make_split(folder, split, n, gz=True, seed=0):
    """Write a valid split of ``n`` samples into ``folder``; return (images, labels)."""
    images, labels = sample(n, seed)
    stems = TRAIN_STEMS if split == "train" else TEST_STEMS
    ext = ".gz" if gz else ""
    write(Path(folder) / f"{stems[0]}{ext}", idx_bytes(images))
    write(Path(folder) / f"{stems[1]}{ext}", idx_bytes(labels))
    return images, labels


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No SIMNET_DATA, a cache and system locations under tmp_path: nothing from the machine."""
    monkeypatch.delenv("SIMNET_DATA", raising=False)
    monkeypatch.delenv("SIMNET_DATA_URL", raising=False)
    monkeypatch.setattr(registry, "cache_dir", lambda name: tmp_path / "cache" / name)
    monkeypatch.setitem(registry.SYSTEM_LOCATIONS, "mnist", [tmp_path / "system" / "mnist"])
    monkeypatch.setitem(registry.SYSTEM_LOCATIONS, "fashion-mnist", [tmp_path / "system" / "fashion"])
    return tmp_path


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


# ---- the loader's checks ----------------------------------------------------------------------
def test_loader_checks_labels_counts_shapes_and_kinds(isolated):
    folder = isolated / "data"
    images, labels = make_split(folder, "test", 6)
    bad = labels.copy()
    bad[3] = 10
    write(folder / "t10k-labels-idx1-ubyte.gz", idx_bytes(bad))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz: label 10 at index 3 is out of range 0\.\.9"):
        load_mnist("test", path=folder, download=False)
    write(folder / "t10k-labels-idx1-ubyte.gz", idx_bytes(labels[:5]))
    with pytest.raises(ValueError, match=r"labels-idx1-ubyte\.gz has 5 labels but .*images-idx3-ubyte\.gz "
                                         r"has 6 images"):
        load_mnist("test", path=folder, download=False)
    write(folder / "t10k-labels-idx1-ubyte.gz", idx_bytes(images))  # images where labels belong
    with pytest.raises(ValueError, match=r"labels-idx1-ubyte\.gz: expected labels \(magic 0x00000801, 1-D\)"):
        load_mnist("test", path=folder, download=False)
    write(folder / "t10k-images-idx3-ubyte.gz", idx_bytes(np.zeros((6, 27, 28))))
    with pytest.raises(ValueError, match=r"images-idx3-ubyte\.gz: images are 27x28, expected 28x28"):
        load_mnist("test", path=folder, download=False)


def test_unknown_names_and_splits(isolated):
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        load_dataset("cifar", "train")
    with pytest.raises(ValueError, match="unknown split 'validation'"):
        load_dataset("mnist", "validation")


# ---- search order -----------------------------------------------------------------------------
def test_search_order_user_path_then_simnet_data_then_cache_then_system(isolated, monkeypatch):
    t = isolated
    make_split(t / "user", "test", 1)
    make_split(t / "env" / "mnist", "test", 2)
    make_split(t / "env", "test", 3)
    make_split(t / "cache" / "mnist", "test", 4)
    make_split(t / "system" / "mnist", "test", 5, gz=False)  # raw names count too
    monkeypatch.setenv("SIMNET_DATA", str(t / "env"))

    def found(**kw):
        files = find_files("mnist", "test", download=False, **kw)
        return len(load_dataset("mnist", "test", download=False, **kw)[1]), files.origin

    assert found(path=t / "user") == (1, "path argument")
    assert found() == (2, "SIMNET_DATA")  # $SIMNET_DATA/mnist before $SIMNET_DATA
    for f in (t / "env" / "mnist").iterdir():
        f.unlink()
    assert found() == (3, "SIMNET_DATA")
    monkeypatch.delenv("SIMNET_DATA")
    assert found() == (4, "user cache")
    (t / "cache" / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()  # half a pair does not count
    assert found() == (5, "system location")
    assert find_files("mnist", "test", download=False).images.name == "t10k-images-idx3-ubyte"


def test_user_path_may_hold_a_folder_per_dataset(isolated):
    make_split(isolated / "data" / "fashion-mnist", "train", 7)
    images, labels = load_fashion_mnist("train", path=isolated / "data", download=False)
    assert images.shape == (7, 28, 28) and labels.shape == (7,)


def test_not_found_lists_every_place_and_where_to_put_the_files(isolated, monkeypatch):
    t = isolated
    monkeypatch.setenv("SIMNET_DATA", str(t / "env"))
    make_split(t / "system" / "mnist", "test", 3)
    with pytest.raises(DatasetNotFoundError) as err:
        load_mnist("train", path=t / "user", download=False)
    msg = str(err.value)
    assert "MNIST train set not found" in msg and "train-images-idx3-ubyte.gz" in msg
    for place in [t / "user", t / "user" / "mnist", t / "env" / "mnist", t / "env", t / "cache" / "mnist"]:
        assert f"{place} (" in msg
    assert f"{t / 'system' / 'mnist'} (system location): has neither file (it holds the test set only)" in msg
    assert "download=False" in msg and "by hand" in msg and "SIMNET_DATA" in msg
    assert isinstance(err.value, FileNotFoundError)


# ---- using the test set when the training set is missing --------------------------------------
def test_split_test_set_is_seeded_disjoint_and_complete():
    images, labels = sample(50)
    a = split_test_set(images, labels, 40, seed=3)
    b = split_test_set(images, labels, 40, seed=3)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert a[0].shape == (40, 28, 28) and a[3].shape == (10,)
    seen = np.concatenate([a[0], a[2]]).reshape(50, -1)
    assert len(np.unique(seen, axis=0)) == 50
    first = split_test_set(images, labels, 40, seed=None)
    np.testing.assert_array_equal(first[0], images[:40])
    np.testing.assert_array_equal(first[3], labels[40:])
    for bad in (0, 50, 2.5, True):
        with pytest.raises(ValueError, match="train_size must be an int in 1..49"):
            split_test_set(images, labels, bad)


def test_load_train_test_falls_back_to_the_test_set_only_when_asked(isolated):
    make_split(isolated / "system" / "mnist", "test", 50)
    with pytest.raises(DatasetNotFoundError, match="MNIST train set not found"):
        load_train_test("mnist", download=False)
    tt = load_train_test("mnist", download=False, allow_test_split=True, train_size=40)
    assert tt.train_images.shape == (40, 28, 28) and tt.test_labels.shape == (10,)
    assert "trained on part of the MNIST test set" in tt.info["note"]
    assert "40 of its images for training, the other 10 for testing" in tt.info["note"]
    assert tt.info["train_source"] == tt.info["test_source"]

    make_split(isolated / "cache" / "mnist", "train", 30, seed=1)
    tt = load_train_test("mnist", download=False, allow_test_split=True)
    assert tt.info["note"] is None and tt.info["split"] is None
    assert len(tt.train_labels) == 30 and len(tt.test_labels) == 50


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


# ---- downloads from a local HTTP server -------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path, monkeypatch):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; yields (root folder, url, stop)."""
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    root = tmp_path / "www"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stopped = []

    def stop():
        if not stopped:
            httpd.shutdown()
            httpd.server_close()
            thread.join(5)
            stopped.append(True)

    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", stop
    stop()


def publish(folder, split, n, monkeypatch, wrong=False):
    """Serve a split as .gz files and register their sha256 (a wrong one if asked)."""
    images, labels = make_split(folder, split, n)
    stems = TRAIN_STEMS if split == "train" else TEST_STEMS
    sums = {f"{s}.gz": hashlib.sha256((folder / f"{s}.gz").read_bytes()).hexdigest() for s in stems}
    if wrong:
        sums = {k: "0" * 64 for k in sums}
    spec = registry.DATASETS["mnist"]
    spec = dataclasses.replace(spec, sha256={**spec.sha256, **sums})
    monkeypatch.setitem(registry.DATASETS, "mnist", spec)
    return images, labels


def cached_files(isolated):
    folder = isolated / "cache" / "mnist"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_lands_in_the_cache_and_loads(isolated, server, monkeypatch):
    root, url, _ = server
    images, labels = publish(root / "files", "test", 12, monkeypatch)
    files = find_files("mnist", "test", base_url=f"{url}/files/", timeout=5)
    assert files.origin == "downloaded" and files.images.parent == isolated / "cache" / "mnist"
    assert cached_files(isolated) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    got_images, got_labels = load_mnist("test", timeout=5)  # now found in the cache
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
    assert find_files("mnist", "test", download=False).origin == "user cache"


def test_simnet_data_url_names_a_folder_per_dataset(isolated, server, monkeypatch):
    root, url, _ = server
    images, _ = publish(root / "mirror" / "mnist", "train", 5, monkeypatch)
    monkeypatch.setenv("SIMNET_DATA_URL", f"{url}/mirror")
    np.testing.assert_array_equal(load_mnist("train", timeout=5)[0], images)


def test_wrong_checksum_leaves_nothing_in_the_cache(isolated, server, monkeypatch):
    root, url, _ = server
    publish(root, "test", 4, monkeypatch, wrong=True)
    with pytest.raises(ChecksumError) as err:
        load_mnist("test", base_url=url, timeout=5)
    msg = str(err.value)
    assert "does not match the published sha256 and was discarded" in msg and ".." not in msg
    assert f"{url}/t10k-images-idx3-ubyte.gz" in msg and "0" * 64 in msg
    assert cached_files(isolated) == []


def test_offline_or_missing_on_the_mirror_says_where_to_put_the_files(isolated, server, monkeypatch):
    root, url, stop = server
    publish(root, "test", 4, monkeypatch)
    with pytest.raises(DatasetNotFoundError, match=r"download from .* failed: HTTP 404 .*train-images-idx3-ubyte"
                                                   r"\.gz \(1 attempt;"):
        load_mnist("train", base_url=url, timeout=5)
    stop()
    monkeypatch.setattr(download, "RETRY_BACKOFF", 0.01)
    with pytest.raises(DatasetNotFoundError) as err:
        load_mnist("test", base_url=url, timeout=5)
    msg = str(err.value)
    assert f"download from {url} failed: cannot connect to {url}/t10k-images-idx3-ubyte.gz" in msg
    assert "(3 attempts;" in msg
    assert "by hand" in msg and str(isolated / "cache" / "mnist") in msg
    assert cached_files(isolated) == []
    tt_err = pytest.raises(DatasetNotFoundError, load_train_test, "mnist", base_url=url, timeout=5,
                           allow_test_split=True)
    assert "Nor could the test set be used instead" in str(tt_err.value)


# ---- download faults, injected by a real server on 127.0.0.1 ----------------------------------
class _FaultyHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files`` by name; ``server.faults[name]`` is a list of faults, one per request.

    Faults: ``"ok"``, ``"500"`` (an error page), ``"truncate"`` (announces the full
    Content-Length, sends half, closes), ``"close-early"`` (no Content-Length, half, closes),
    ``"stall"`` (sends nothing), ``"stall-body"`` (headers and half the body, then nothing).
    A stall ends when the test stops the server, or after ``STALL_LIMIT`` seconds.
    """

    STALL_LIMIT = 20

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        name = self.path.rsplit("/", 1)[-1]
        with server.lock:
            server.requests.append(name)
            plan = server.faults.get(name, [])
            fault = plan.pop(0) if plan else "ok"
        data = server.files.get(name)
        if data is None:
            self.send_error(404)
            return
        if fault == "stall":
            server.stop_event.wait(self.STALL_LIMIT)
            self.close_connection = True
            return
        if fault == "500":
            self.send_error(500)
            return
        half = data[: len(data) // 2]
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        if fault != "close-early":
            self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if fault == "ok":
            self.wfile.write(data)
        elif fault == "trickle":  # a byte every 0.05 s: never silent for a timeout, never done
            for i in range(len(data)):
                if server.stop_event.wait(0.05):
                    break
                try:
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                except OSError:
                    break
        else:
            self.wfile.write(half)
            self.wfile.flush()
            if fault == "stall-body":
                server.stop_event.wait(self.STALL_LIMIT)
        self.close_connection = True


@pytest.fixture
def faulty(isolated, monkeypatch):
    """A fault-injecting HTTP server on 127.0.0.1 with the MNIST test split published on it.

    Yields the server: set ``server.faults[file name] = [fault, ...]``, read
    ``server.requests``.  Retries wait 0.05 s instead of 1 s.
    """
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(download, "RETRY_BACKOFF", 0.05)
    images, labels = publish(isolated / "www", "test", 30, monkeypatch)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FaultyHandler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    httpd.files = {p.name: p.read_bytes() for p in (isolated / "www").iterdir()}
    httpd.faults, httpd.requests = {}, []
    httpd.lock, httpd.stop_event = threading.Lock(), threading.Event()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.data = images, labels
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.stop_event.set()  # releases stalled handlers
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


IMAGES_GZ, LABELS_GZ = (f"{s}.gz" for s in TEST_STEMS)


def cache_is_clean(isolated, allowed=()):
    """The cache holds only complete, verified files (those in ``allowed``): no partial or temporary file."""
    return cached_files(isolated) == sorted(allowed)


def test_good_download_from_the_faulty_server(faulty, isolated):
    images, labels = load_mnist("test", base_url=faulty.url, timeout=3)
    np.testing.assert_array_equal(images, faulty.data[0])
    np.testing.assert_array_equal(labels, faulty.data[1])
    assert faulty.requests == [IMAGES_GZ, LABELS_GZ]
    assert cache_is_clean(isolated, [IMAGES_GZ, LABELS_GZ])


def test_truncated_download_is_retried_then_succeeds(faulty, isolated):
    faulty.faults[IMAGES_GZ] = ["truncate"]
    images, _ = load_mnist("test", base_url=faulty.url, timeout=3)
    np.testing.assert_array_equal(images, faulty.data[0])
    assert faulty.requests == [IMAGES_GZ, IMAGES_GZ, LABELS_GZ]


def test_truncated_every_time_fails_and_leaves_nothing(faulty, isolated):
    faulty.faults[IMAGES_GZ] = ["truncate"] * 3
    with pytest.raises(DatasetNotFoundError) as err:
        load_mnist("test", base_url=faulty.url, timeout=3)
    msg = str(err.value)
    size = len(faulty.files[IMAGES_GZ])
    assert f"truncated: the connection to {faulty.url}{IMAGES_GZ} broke after {size // 2:,} of {size:,} bytes" in msg
    assert f"(3 attempts; {IMAGES_GZ} was not saved in {isolated / 'cache' / 'mnist'})" in msg
    assert "by hand" in msg and str(isolated / "cache" / "mnist") in msg
    assert faulty.requests == [IMAGES_GZ] * 3
    assert cache_is_clean(isolated)


def test_truncated_labels_keep_the_verified_images_only(faulty, isolated):
    """A failure on the second file leaves the first, complete and verified, for the next try."""
    faulty.faults[LABELS_GZ] = ["truncate"] * 3
    with pytest.raises(DatasetNotFoundError, match=f"truncated: .*{LABELS_GZ}"):
        load_mnist("test", base_url=faulty.url, timeout=3)
    assert cache_is_clean(isolated, [IMAGES_GZ])
    load_mnist("test", base_url=faulty.url, timeout=3)  # the next call fetches the labels only
    assert faulty.requests[-1:] == [LABELS_GZ] and faulty.requests.count(IMAGES_GZ) == 1
    assert cache_is_clean(isolated, [IMAGES_GZ, LABELS_GZ])


def test_closed_early_without_length_is_caught_by_the_checksum(faulty, isolated):
    faulty.faults[IMAGES_GZ] = ["close-early"]
    with pytest.raises(ChecksumError) as err:
        load_mnist("test", base_url=faulty.url, timeout=3)
    msg = str(err.value)
    size = len(faulty.files[IMAGES_GZ])
    assert f"{faulty.url}{IMAGES_GZ}: the download ({size // 2:,} bytes) does not match the published sha256" in msg
    assert "discarded" in msg and "by hand" in msg and str(isolated / "cache" / "mnist") in msg
    assert faulty.requests == [IMAGES_GZ]  # a wrong checksum is not retried
    assert cache_is_clean(isolated)


def test_wrong_checksum_on_the_faulty_server(faulty, isolated, monkeypatch):
    spec = registry.DATASETS["mnist"]
    monkeypatch.setitem(registry.DATASETS, "mnist",
                        dataclasses.replace(spec, sha256={**spec.sha256, IMAGES_GZ: "f" * 64}))
    with pytest.raises(ChecksumError, match="does not match the published sha256 and was discarded"):
        load_mnist("test", base_url=faulty.url, timeout=3)
    assert cache_is_clean(isolated)


@pytest.mark.parametrize("fault, where", [("stall", "sent no response for 1.5 s"),
                                          ("stall-body", "stalled after")])
def test_stalled_server_times_out_within_the_timeout(faulty, isolated, fault, where):
    faulty.faults[IMAGES_GZ] = [fault] * 3
    t0 = time.monotonic()
    with pytest.raises(DatasetNotFoundError) as err:
        load_mnist("test", base_url=faulty.url, timeout=1.5)
    elapsed = time.monotonic() - t0
    assert 1.4 < elapsed < 4, elapsed  # one timeout, not retried
    msg = str(err.value)
    assert "timed out: " in msg and where in msg and "(timeout=1.5)" in msg and "(1 attempt;" in msg
    assert "by hand" in msg
    assert faulty.requests == [IMAGES_GZ]
    assert cache_is_clean(isolated)


def test_server_error_then_success_is_retried(faulty, isolated):
    faulty.faults[IMAGES_GZ] = ["500", "500"]
    faulty.faults[LABELS_GZ] = ["500"]
    t0 = time.monotonic()
    images, labels = load_mnist("test", base_url=faulty.url, timeout=3)
    assert time.monotonic() - t0 < 3
    np.testing.assert_array_equal(labels, faulty.data[1])
    assert faulty.requests == [IMAGES_GZ] * 3 + [LABELS_GZ] * 2
    assert cache_is_clean(isolated, [IMAGES_GZ, LABELS_GZ])


def test_server_error_every_time_gives_up_after_three_attempts(faulty, isolated):
    faulty.faults[IMAGES_GZ] = ["500"] * 10
    with pytest.raises(DatasetNotFoundError) as err:
        load_mnist("test", base_url=faulty.url, timeout=3)
    msg = str(err.value)
    assert f"HTTP 500 Internal Server Error for {faulty.url}{IMAGES_GZ} (3 attempts;" in msg
    assert "by hand" in msg
    assert faulty.requests == [IMAGES_GZ] * 3
    assert cache_is_clean(isolated)


def test_bad_timeout_and_path_are_refused_before_any_download(faulty):
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="timeout must be a positive finite number of seconds"):
            load_mnist("test", base_url=faulty.url, timeout=bad)
    for bad in ("5", None, True):
        with pytest.raises(TypeError, match="timeout must be a number of seconds"):
            load_mnist("test", base_url=faulty.url, timeout=bad)
    with pytest.raises(TypeError, match="path must be a folder name"):
        load_mnist("test", path=3)
    assert faulty.requests == []


# ---- real data, where this machine has it -----------------------------------------------------
@pytest.fixture
def real(tmp_path, monkeypatch):
    """The real system locations, but no SIMNET_DATA and an empty cache."""
    monkeypatch.delenv("SIMNET_DATA", raising=False)
    monkeypatch.delenv("SIMNET_DATA_URL", raising=False)
    monkeypatch.setattr(registry, "cache_dir", lambda name: tmp_path / "cache" / name)


MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@needs_mnist_full
def test_full_mnist_from_simnet_data(tmp_path, monkeypatch):
    """The full MNIST set where SIMNET_DATA points (the tests' ../shared/datasets): the official split."""
    monkeypatch.setattr(registry, "cache_dir", lambda name: tmp_path / "cache" / name)
    files = find_files("mnist", "test", download=False)
    assert files.origin == "SIMNET_DATA"
    images, labels = load_mnist("test", download=False)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8 and labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == MNIST_TEST_COUNTS
    tt = load_train_test("mnist", download=False, allow_test_split=True)
    assert tt.train_images.shape == (60000, 28, 28) and len(tt.train_labels) == 60000
    assert np.bincount(tt.train_labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert len(tt.test_labels) == 10000 and tt.info["note"] is None and tt.info["split"] is None


@needs_mnist_test
def test_mnist_test_set_only_is_split_offline(tmp_path, monkeypatch):
    """A folder with only MNIST's test files, no download: the test set is split, and the note says so."""
    real_files = find_files("mnist", "test", download=False)
    only_test = tmp_path / "only-test" / "mnist"
    only_test.mkdir(parents=True)
    for f in (real_files.images, real_files.labels):
        (only_test / f.name).symlink_to(f)
    monkeypatch.setenv("SIMNET_DATA", str(tmp_path / "only-test"))
    monkeypatch.delenv("SIMNET_DATA_URL", raising=False)
    monkeypatch.setattr(registry, "cache_dir", lambda name: tmp_path / "cache" / name)
    monkeypatch.setitem(registry.SYSTEM_LOCATIONS, "mnist", [])
    with pytest.raises(DatasetNotFoundError, match="it holds the test set only"):
        find_files("mnist", "train", download=False)
    images, labels = load_mnist("test", download=False)
    assert np.bincount(labels).tolist() == MNIST_TEST_COUNTS
    tt = load_train_test("mnist", download=False, allow_test_split=True)
    assert len(tt.train_labels) == 8000 and len(tt.test_labels) == 2000
    assert "trained on part of the MNIST test set" in tt.info["note"]
    assert load_test_split("mnist", download=False, seed=None).train_labels[:5].tolist() == labels[:5].tolist()


def test_debian_fashion_mnist(real):
    if not all((DEBIAN_FASHION / f"{s}.gz").is_file() for s in TRAIN_STEMS + TEST_STEMS):
        pytest.skip(f"Fashion-MNIST is not installed at {DEBIAN_FASHION} (apt-get install dataset-fashion-mnist)")
    train_images, train_labels = load_fashion_mnist("train", download=False)
    test_images, test_labels = load_fashion_mnist("test", download=False)
    assert train_images.shape == (60000, 28, 28) and test_images.shape == (10000, 28, 28)
    assert np.bincount(train_labels).tolist() == [6000] * 10
    assert np.bincount(test_labels).tolist() == [1000] * 10


def test_a_trickling_server_is_cut_off_at_the_whole_download_deadline(faulty, isolated, monkeypatch):
    monkeypatch.setattr(download, "DOWNLOAD_DEADLINE", 1.5)
    faulty.faults[IMAGES_GZ] = ["trickle"] * 3
    t0 = time.monotonic()
    with pytest.raises(DatasetNotFoundError) as err:
        load_mnist("test", base_url=faulty.url, timeout=1)
    elapsed = time.monotonic() - t0
    assert 1.4 < elapsed < 4, elapsed  # the deadline, once: not retried
    msg = str(err.value)
    assert f"timed out: {faulty.url}{IMAGES_GZ} took longer than the deadline of 1.5 s for the whole file" in msg
    assert "(1 attempt;" in msg and faulty.requests == [IMAGES_GZ]
    assert cache_is_clean(isolated)


def test_decompressed_sizes_are_checked_while_reading(tmp_path, monkeypatch):
    import simnet.data.idx as idx_module

    # a header that announces 4 GiB: refused before anything is unpacked
    path = write(tmp_path / "huge-idx3-ubyte.gz", struct.pack(">IIII", 0x0803, 65536, 256, 256))
    with pytest.raises(ValueError, match=r"huge-idx3-ubyte.gz: header says 65536x256x256 = 4,294,967,296 bytes, "
                                         r"more than an IDX file simnet reads \(1,073,741,824\): refused before"):
        read_idx(path)
    # a small .gz (40 kB) that unpacks to 40 MB past a 3-image header: reading stops 1 MiB past the end
    data = idx_bytes(sample(3)[0])
    bomb = tmp_path / "bomb-idx3-ubyte.gz"
    with gzip.open(bomb, "wb") as g:
        g.write(data)
        for _ in range(40):
            g.write(b"\0" * 2**20)
    assert bomb.stat().st_size < 100_000
    reads = []
    real_read = gzip.GzipFile.read
    monkeypatch.setattr(gzip.GzipFile, "read", lambda self, n=-1: reads.append(n) or real_read(self, n))
    with pytest.raises(ValueError, match=r"bomb-idx3-ubyte.gz: overlong: header says 3x28x28 = 2352 bytes, found "
                                         r"more than 1050928 \(reading stopped 1,048,576 bytes past the end\)"):
        read_idx(bomb)
    assert -1 not in reads and sum(n for n in reads) < 2 * 2**20 + 2352 + 16
    assert idx_module.OVERLONG_COUNTED == 2**20


def test_a_training_size_trains_on_that_many_training_images(tmp_path, capsys):
    """--train-size N with the training set at hand trains on N of its images, drawn with the seed (the
    test set stays whole); the run says so.  More than the training set holds is one line, exit 2."""
    from helpers import load_scenario, tiny_image_set

    from simnet.data import load_for_training

    folder = tiny_image_set(tmp_path / "d", n_train=300, n_test=100)
    full = load_for_training("mnist", folder)[0]
    assert full.info["note"] is None and full.info["split"] is None and len(full.train_images) == 300
    data = load_for_training("mnist", folder, train_size=50, seed=3)[0]
    assert len(data.train_images) == 50 and len(data.test_images) == 100 and data.info["note"] is None
    assert data.info["split"] == {"train_size": 50, "of": 300, "seed": 3}
    rows = [int(np.flatnonzero((full.train_images == image).all(axis=(1, 2)))[0]) for image in data.train_images]
    assert rows == sorted(rows) and len(set(rows)) == 50  # 50 distinct images, in the file's order
    np.testing.assert_array_equal(full.train_labels[rows], data.train_labels)
    again = load_for_training("mnist", folder, train_size=50, seed=3)[0]
    np.testing.assert_array_equal(again.train_images, data.train_images)  # the seed decides which
    assert len(load_for_training("mnist", folder, train_size=300)[0].train_images) == 300
    argv = ["--data", str(folder), "--no-download", "--epochs", "0", "--no-plots", "--hidden", "4", "--train-size", "50"]
    assert load_scenario("mnist").main(argv) == 0
    out = capsys.readouterr().out
    assert "training on 50 of the 300 training images (drawn with --seed 0)" in out
    assert "50 training and 100 test images" in out
    assert load_scenario("mnist").main([*argv[:-1], "301"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--train-size 301: train_size must be an int in 1..300" in err
