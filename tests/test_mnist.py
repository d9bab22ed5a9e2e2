"""MNIST loading: IDX parsing, checksums, mirrors, caching. Never touches the network."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch

from ganlab.images import mnist

N = 5


def idx_bytes(arr: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


def tiny_split(n: int = N, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n).astype(np.uint8)


def write_gz(path: Path, raw: bytes) -> Path:
    path.write_bytes(gzip.compress(raw, mtime=0))
    return path


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A fake mirror folder holding tiny MNIST files, their checksum table, no real mirrors, no network."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    table, arrays = {}, {}
    for split, (img_name, lab_name) in mnist.FILES.items():
        images, labels = tiny_split(seed=len(split))
        arrays[split] = (images, labels)
        for name, raw in ((img_name, idx_bytes(images, mnist.IMAGES_MAGIC)),
                          (lab_name, idx_bytes(labels, mnist.LABELS_MAGIC))):
            gz = write_gz(mirror / name, raw).read_bytes()
            table[name] = {"gz": {hashlib.md5(gz).hexdigest()}, "raw": hashlib.md5(raw).hexdigest()}
    monkeypatch.setattr(mnist, "CHECKSUMS", table)
    monkeypatch.setattr(mnist, "SHARED_MIRROR", tmp_path / "no-shared-mirror")
    monkeypatch.setenv("GANLAB_MNIST_MIRROR", str(mirror))
    calls = []

    def no_network(url, timeout):
        calls.append(url)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(mnist, "_urlopen", no_network)
    return {"mirror": mirror, "cache": tmp_path / "cache", "arrays": arrays, "urls": calls}


def test_parse_idx_round_trip():
    images, labels = tiny_split()
    assert np.array_equal(mnist.parse_idx(idx_bytes(images, 2051), 2051), images)
    assert np.array_equal(mnist.parse_idx(idx_bytes(labels, 2049), 2049), labels)


def test_bad_magic():
    images, _ = tiny_split()
    with pytest.raises(mnist.IdxFormatError, match="magic"):
        mnist.parse_idx(idx_bytes(images, 2051), 2049)


def test_truncated_file():
    images, _ = tiny_split()
    data = idx_bytes(images, 2051)
    with pytest.raises(mnist.IdxFormatError, match="size mismatch"):
        mnist.parse_idx(data[:-10], 2051)
    with pytest.raises(mnist.IdxFormatError, match="too short"):
        mnist.parse_idx(data[:9], 2051)


def test_wrong_count_in_header():
    images, _ = tiny_split()
    data = bytearray(idx_bytes(images, 2051))
    data[4:8] = (N + 1).to_bytes(4, "big")  # header claims one image more than the file holds
    with pytest.raises(mnist.IdxFormatError, match="size mismatch"):
        mnist.parse_idx(bytes(data), 2051)


def test_image_and_label_counts_must_match(tmp_path):
    images, labels = tiny_split()
    img = write_gz(tmp_path / "i.gz", idx_bytes(images, 2051))
    lab = write_gz(tmp_path / "l.gz", idx_bytes(labels[:-1], 2049))
    with pytest.raises(mnist.IdxFormatError, match="5 images but 4 labels"):
        mnist.parse_pair(img, lab)


def test_bad_split():
    with pytest.raises(ValueError, match="split"):
        mnist.load_mnist("valid")


def test_load_from_mirror_then_cache(fake):
    images, labels = mnist.load_mnist("test", root=fake["cache"])
    want_i, want_l = fake["arrays"]["test"]
    assert images.dtype == torch.uint8 and images.shape == (N, 28, 28)
    assert labels.dtype == torch.int64 and labels.shape == (N,)
    assert np.array_equal(images.numpy(), want_i) and np.array_equal(labels.numpy(), want_l)
    assert (fake["cache"] / "test.pt").is_file()
    for name in mnist.FILES["test"]:
        assert (fake["cache"] / name).is_file()
    # The second load uses the parsed cache, even with the mirror gone.
    for p in fake["mirror"].iterdir():
        p.unlink()
    again, _ = mnist.load_mnist("test", root=fake["cache"])
    assert torch.equal(again, images)
    assert fake["urls"] == []


def test_recompressed_file_passes_by_content_md5(fake, tmp_path):
    name = mnist.FILES["train"][1]
    raw = gzip.decompress((fake["mirror"] / name).read_bytes())
    other = tmp_path / name
    other.write_bytes(gzip.compress(raw, compresslevel=1, mtime=12345))  # different .gz bytes
    assert hashlib.md5(other.read_bytes()).hexdigest() not in mnist.CHECKSUMS[name]["gz"]
    assert mnist.verify_file(other)


def test_corrupt_cached_file_is_removed_and_fetched_again(fake):
    mnist.load_mnist("train", root=fake["cache"])
    (fake["cache"] / "train.pt").unlink()
    bad = fake["cache"] / mnist.FILES["train"][0]
    bad.write_bytes(bad.read_bytes()[:100])  # a partial download
    assert not mnist.verify_file(bad)
    images, _ = mnist.load_mnist("train", root=fake["cache"])
    assert mnist.verify_file(bad)
    assert np.array_equal(images.numpy(), fake["arrays"]["train"][0])


def test_corrupt_mirror_file_is_refused(fake):
    name = mnist.FILES["test"][1]
    (fake["mirror"] / name).write_bytes(b"not gzip at all")
    with pytest.raises(mnist.MnistUnavailable, match="fails MD5 check"):
        mnist.load_mnist("test", root=fake["cache"])


def test_download_from_network_mirror(fake, monkeypatch):
    import io
    blobs = {p.name: p.read_bytes() for p in fake["mirror"].iterdir()}
    monkeypatch.delenv("GANLAB_MNIST_MIRROR")
    urls = []

    def fake_open(url, timeout):
        urls.append(url)
        if url.startswith(mnist.MIRROR_URLS[0]):
            raise OSError("first mirror down")
        return io.BytesIO(blobs[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(mnist, "_urlopen", fake_open)
    images, _ = mnist.load_mnist("test", root=fake["cache"])
    assert np.array_equal(images.numpy(), fake["arrays"]["test"][0])
    assert [u.startswith(mnist.MIRROR_URLS[0]) for u in urls] == [True, False, True, False]
    assert not any("lecun" in u for u in urls)


def test_no_copy_and_no_network_is_a_clear_error(fake, monkeypatch):
    monkeypatch.delenv("GANLAB_MNIST_MIRROR")
    with pytest.raises(FileNotFoundError) as err:
        mnist.load_mnist("test", root=fake["cache"])
    msg = str(err.value)
    assert isinstance(err.value, mnist.MnistUnavailable)
    assert "GANLAB_MNIST_MIRROR" in msg and str(fake["cache"]) in msg
    assert "t10k-images-idx3-ubyte.gz" in msg and "train-labels-idx1-ubyte.gz" in msg
    assert len(fake["urls"]) == len(mnist.MIRROR_URLS)  # each mirror tried once, through the stub
    fake["urls"].clear()
    with pytest.raises(mnist.MnistUnavailable, match="download=False"):
        mnist.load_mnist("test", root=fake["cache"], download=False)
    assert fake["urls"] == []


def test_describe_data_location_does_not_fetch(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("GANLAB_DATA", str(tmp_path / "data"))
    line = mnist.describe_data_location()
    assert "missing" in line and "local mirror" in line and "\n" not in line
    assert not (tmp_path / "data" / "mnist").exists() or not any((tmp_path / "data" / "mnist").iterdir())
    mnist.load_mnist("test")
    assert "test: ready" in mnist.describe_data_location()


def test_default_root_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("GANLAB_DATA", str(tmp_path))
    assert mnist.default_root() == tmp_path / "mnist"
    monkeypatch.delenv("GANLAB_DATA")
    assert mnist.default_root() == Path(mnist.__file__).resolve().parents[2] / "data" / "mnist"


@pytest.mark.skipif(not all((mnist.SHARED_MIRROR / n).is_file() for n in mnist.FILES["test"]),
                    reason="no shared MNIST mirror on this machine")
def test_real_test_split_from_shared_mirror(tmp_path, monkeypatch):
    monkeypatch.delenv("GANLAB_MNIST_MIRROR", raising=False)
    monkeypatch.setattr(mnist, "_urlopen", lambda url, timeout: (_ for _ in ()).throw(OSError("offline")))
    images, labels = mnist.load_mnist("test", root=tmp_path)
    assert images.shape == (10000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (10000,) and labels.dtype == torch.int64
    assert set(labels.tolist()) == set(range(10))
    assert int(labels[0]) == 7  # the first test digit is a 7


def test_a_flipped_byte_in_a_cached_file_is_refetched_not_a_crash(fake):
    """Issue 14.3: zlib.error from a corrupt deflate stream used to crash every later load."""
    mnist.load_mnist("train", root=fake["cache"])
    (fake["cache"] / "train.pt").unlink()
    bad = fake["cache"] / mnist.FILES["train"][0]
    blob = bytearray(bad.read_bytes())
    blob[10] ^= 0xFF  # one flipped byte: the first byte of the deflate stream (its block header)
    bad.write_bytes(bytes(blob))
    with pytest.raises(zlib.error):
        gzip.decompress(bytes(blob))  # what used to escape from verify_file
    assert not mnist.verify_file(bad)
    images, _ = mnist.load_mnist("train", root=fake["cache"])
    assert np.array_equal(images.numpy(), fake["arrays"]["train"][0])
    assert mnist.verify_file(bad)  # the bad copy was replaced by a good one


def test_a_read_only_cache_with_verified_files_still_loads(fake, monkeypatch):
    """Issue 14.6: the parsed-tensor cache is optional; failing to write it must not fail the load."""
    mnist.load_mnist("test", root=fake["cache"])
    (fake["cache"] / "test.pt").unlink()

    def read_only(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mnist, "atomic_write", read_only)
    images, labels = mnist.load_mnist("test", root=fake["cache"])
    assert len(images) == len(labels) == N and not (fake["cache"] / "test.pt").exists()


def test_an_unwritable_data_folder_says_what_to_do(fake, monkeypatch):
    def read_only(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mnist, "atomic_write", read_only)
    with pytest.raises(PermissionError, match="set GANLAB_DATA to a writable folder"):
        mnist.load_mnist("train", root=fake["cache"])
