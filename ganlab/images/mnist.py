"""MNIST without torchvision: find the four files, verify them, parse IDX, cache tensors.

Use::

    from ganlab.images import load_mnist
    images, labels = load_mnist("train")   # uint8 (60000, 28, 28), int64 (60000,)

Where the files come from, first that works (every file is checked against its MD5):

1. the cache folder ``<data dir>/mnist`` (``<data dir>``: ``$GANLAB_DATA``, else ``<repo>/data`` in a
   checkout, else the user cache folder; see :func:`ganlab.core.data_dir`);
2. a local mirror folder named by the environment variable ``GANLAB_MNIST_MIRROR``;
3. the conventional local mirror ``<repo>/../shared/data/mnist`` (how CI and offline machines
   get the data; only from a checkout);
4. the network mirrors in :data:`MIRROR_URLS`, in order (never the original yann.lecun.com host,
   which refuses downloads).

Files found elsewhere are copied into the cache. A corrupt or partial file is removed and
fetched again. The parsed tensors are cached as ``<data dir>/mnist/<split>.pt`` so the second
load skips decompression and checking.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import urllib.request
import zlib
from pathlib import Path

import numpy as np
import torch

from ganlab.core import atomic_write, data_dir, repo_root

FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

#: MD5 checksums per file: ``"gz"`` lists the accepted MD5s of the compressed file, ``"raw"`` is
#: the MD5 of the decompressed IDX content. A file passes if its .gz MD5 is listed, or else if its
#: decompressed content has the ``"raw"`` MD5 (a recompressed copy of the official data passes).
#: Tests monkeypatch this table to check tiny hand-made files.
CHECKSUMS: dict[str, dict] = {
    "train-images-idx3-ubyte.gz": {
        "gz": {"f68b3c2dcbeaaa9fbdd348bbdeb94873", "56f11203c65dcbeead45b51e76a4d637"},
        "raw": "6bbc9ace898e44ae57da46a324031adb"},
    "train-labels-idx1-ubyte.gz": {
        "gz": {"d53e105ee54ea40749a09fcbcd1e9432"}, "raw": "a25bea736e30d166cdddb491f175f624"},
    "t10k-images-idx3-ubyte.gz": {
        "gz": {"9fb629c4189551a2d022fa330f9573f3"}, "raw": "2646ac647ad5339dbf082846283269ea"},
    "t10k-labels-idx1-ubyte.gz": {
        "gz": {"ec29112dd5afa0611ce80d1b7f02629c"}, "raw": "27ae3e4e09519cfbb04c329615203637"},
}

#: Network mirrors that serve the official files, tried in order.
MIRROR_URLS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
TIMEOUT_S = 20.0

#: The conventional local mirror next to a source checkout (tests monkeypatch it away); None when installed.
SHARED_MIRROR: Path | None = (repo_root().parent / "shared" / "data" / "mnist") if repo_root() is not None else None

IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
CACHE_VERSION = 1


class MnistUnavailable(FileNotFoundError):
    """No verified copy of an MNIST file could be found or fetched."""


class IdxFormatError(ValueError):
    """A file is not a well-formed IDX file of the expected kind."""


# ----------------------------------------------------------------------------------------------
# locations


def default_root() -> Path:
    """Where MNIST is cached: ``data_dir() / "mnist"``."""
    return data_dir() / "mnist"


def local_mirrors() -> list[Path]:
    """Local mirror folders to copy from, in order: ``$GANLAB_MNIST_MIRROR``, then the shared one."""
    out = []
    env = os.environ.get("GANLAB_MNIST_MIRROR", "").strip()
    if env:
        out.append(Path(env).expanduser())
    if SHARED_MIRROR is not None:
        out.append(Path(SHARED_MIRROR))
    return out


# ----------------------------------------------------------------------------------------------
# checking and parsing


def md5_of(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def verify_file(path: str | Path, checksums: dict | None = None) -> bool:
    """True when ``path`` is a good copy of the MNIST file of the same name.

    Accepts a listed .gz MD5, or else checks the MD5 of the decompressed content. A missing,
    truncated or non-gzip file gives False (never an exception). An unknown file name is an error.
    """
    table = CHECKSUMS if checksums is None else checksums
    path = Path(path)
    try:
        want = table[path.name]
    except KeyError:
        raise KeyError(f"no checksum known for {path.name!r}") from None
    if not path.is_file():
        return False
    try:
        blob = path.read_bytes()
        if md5_of(blob) in set(want.get("gz", ())):
            return True
        return want.get("raw") is not None and md5_of(gzip.decompress(blob)) == want["raw"]
    except (OSError, EOFError, gzip.BadGzipFile, ValueError, zlib.error):  # zlib.error: a flipped byte
        return False


def parse_idx(data: bytes, magic: int) -> np.ndarray:
    """Parse an (uncompressed) IDX file of unsigned bytes into a uint8 array.

    The header is a big-endian 32-bit magic number (``2051`` for images: 3 dimensions,
    ``2049`` for labels: 1 dimension) followed by one big-endian 32-bit size per dimension.
    Raises :class:`IdxFormatError` on a wrong magic number or a length that does not match.
    """
    if len(data) < 4:
        raise IdxFormatError(f"IDX file too short ({len(data)} bytes) for a header")
    got = int.from_bytes(data[:4], "big")
    if got != magic:
        raise IdxFormatError(f"bad IDX magic number {got} (expected {magic})")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxFormatError(f"IDX file too short ({len(data)} bytes) for a {ndim}-D header")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(data) != expected:
        raise IdxFormatError(
            f"IDX size mismatch: header says {dims} -> {expected} bytes, file has {len(data)} "
            "(truncated or wrong counts)")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims).copy()


def parse_pair(images_gz: str | Path, labels_gz: str | Path) -> tuple[torch.Tensor, torch.Tensor]:
    """Parse a gzip-compressed image file and label file into (uint8 N×H×W, int64 N) tensors."""
    images = parse_idx(gzip.decompress(Path(images_gz).read_bytes()), IMAGES_MAGIC)
    labels = parse_idx(gzip.decompress(Path(labels_gz).read_bytes()), LABELS_MAGIC)
    if len(images) != len(labels):
        raise IdxFormatError(f"{len(images)} images but {len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise IdxFormatError(f"label {int(labels.max())} out of range 0..9")
    return torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))


# ----------------------------------------------------------------------------------------------
# fetching


def _urlopen(url: str, timeout: float):
    """The URL opener (tests replace it so they never touch the network)."""
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - https mirrors only


def _unwritable(folder: Path, exc: OSError) -> PermissionError:
    return PermissionError(f"cannot write MNIST into {folder} ({exc.strerror or exc}): set GANLAB_DATA to a "
                           "writable folder (the cache goes to $GANLAB_DATA/mnist), or make this one writable")


def _copy_into(src_read, dest: Path) -> None:
    """Write a stream to ``dest`` atomically, so a partial copy never has its name."""
    try:
        atomic_write(dest, lambda out: shutil.copyfileobj(src_read, out))
    except PermissionError as exc:
        raise _unwritable(dest.parent, exc) from None


def _missing_message(root: Path, names: list[str], tried: list[str]) -> str:
    return (
        f"MNIST file(s) {', '.join(names)} not available.\n"
        f"Tried: {'; '.join(tried) or 'nothing'}.\n"
        f"Fix: put the four files {', '.join(n for pair in FILES.values() for n in pair)} in "
        f"{root} (they are checked against their MD5s), or set GANLAB_MNIST_MIRROR=/folder/with/them, "
        f"or place them in {SHARED_MIRROR or '../shared/data/mnist beside a checkout'}, or connect to the internet "
        f"(mirrors: {', '.join(MIRROR_URLS)})."
    )


def ensure_file(name: str, root: str | Path | None = None, download: bool = True,
                checksums: dict | None = None) -> Path:
    """Return the path of a verified copy of MNIST file ``name`` in the cache folder ``root``.

    Order: cache (a bad copy there is removed), local mirrors, then network mirrors when
    ``download`` is true. Raises :class:`MnistUnavailable` when nothing verifies.
    """
    root = Path(root) if root is not None else default_root()
    dest = root / name
    if dest.exists():
        if verify_file(dest, checksums):
            return dest
        try:
            dest.unlink()  # corrupt or partial: remove and fetch again
        except PermissionError as exc:
            raise _unwritable(root, exc) from None
    tried = [f"cache {root} (absent or corrupt)"]
    for mirror in local_mirrors():
        src = mirror / name
        if not src.is_file():
            tried.append(f"{mirror} (no file)")
            continue
        if not verify_file(src, checksums):
            tried.append(f"{src} (fails MD5 check)")
            continue
        with open(src, "rb") as f:
            _copy_into(f, dest)
        if verify_file(dest, checksums):
            return dest
        dest.unlink(missing_ok=True)
        tried.append(f"{src} (copy failed check)")
    if download:
        for base in MIRROR_URLS:
            url = base + name
            try:
                with _urlopen(url, TIMEOUT_S) as resp:
                    _copy_into(resp, dest)
            except Exception as exc:  # noqa: BLE001 - any network failure: try the next mirror
                tried.append(f"{url} ({type(exc).__name__}: {exc})")
                continue
            if verify_file(dest, checksums):
                return dest
            dest.unlink(missing_ok=True)
            tried.append(f"{url} (download fails MD5 check)")
    else:
        tried.append("network (download=False)")
    raise MnistUnavailable(_missing_message(root, [name], tried))


# ----------------------------------------------------------------------------------------------
# the public loader


def _expected_raw(split: str, checksums: dict | None) -> list:
    table = CHECKSUMS if checksums is None else checksums
    return [table.get(n, {}).get("raw") for n in FILES[split]]


def _read_cache(path: Path, split: str, checksums: dict | None, remove_bad: bool = True):
    if not path.is_file():
        return None
    try:
        blob = torch.load(path, weights_only=True)
        ok = (blob.get("version") == CACHE_VERSION
              and list(blob.get("raw_md5", [])) == _expected_raw(split, checksums)
              and blob["images"].dtype == torch.uint8 and blob["labels"].dtype == torch.int64
              and blob["images"].ndim == 3 and len(blob["images"]) == len(blob["labels"]))
    except Exception:  # noqa: BLE001 - an unreadable cache is rebuilt
        ok = False
    if not ok:
        if remove_bad:
            path.unlink(missing_ok=True)
        return None
    return blob["images"], blob["labels"]


def load_mnist(split: str = "train", root: str | Path | None = None, download: bool = True,
               *, checksums: dict | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Load an MNIST split as ``(images, labels)``.

    Args:
        split: ``"train"`` (60000 images) or ``"test"`` (10000 images); anything else is a
            ``ValueError``.
        root: cache folder; default ``<data dir>/mnist`` (``$GANLAB_DATA`` or ``<repo>/data``).
        download: allow the network mirrors when no verified local copy exists (local mirror
            folders are used either way).
        checksums: replaces :data:`CHECKSUMS` (for tests).

    Returns:
        ``images``: ``torch.uint8`` tensor of shape ``(N, 28, 28)``, pixel values 0..255;
        ``labels``: ``torch.int64`` tensor of shape ``(N,)``, digits 0..9.

    Raises:
        MnistUnavailable (a ``FileNotFoundError``) when the files cannot be found or fetched; the
        message says where to put them.
    """
    if split not in FILES:
        raise ValueError(f"split must be one of {sorted(FILES)}, got {split!r}")
    root = Path(root) if root is not None else default_root()
    cache = root / f"{split}.pt"
    hit = _read_cache(cache, split, checksums)
    if hit is not None:
        return hit
    img_path, lab_path = (ensure_file(n, root, download, checksums) for n in FILES[split])
    images, labels = parse_pair(img_path, lab_path)
    _copy_tensor_cache(cache, images, labels, _expected_raw(split, checksums))
    return images, labels


def _copy_tensor_cache(path: Path, images: torch.Tensor, labels: torch.Tensor, raw_md5: list) -> None:
    """Cache the parsed tensors (optional: a read-only cache folder just parses again next time)."""
    blob = {"version": CACHE_VERSION, "raw_md5": raw_md5, "images": images, "labels": labels}
    try:
        atomic_write(path, lambda f: torch.save(blob, f))
    except OSError:
        pass


def describe_data_location() -> str:
    """One line for ``python -m ganlab doctor``: where MNIST lives and whether it is ready.

    Never downloads or copies anything; it may read and check local files (well under a second).
    """
    root = default_root()
    parts = []
    for split, names in FILES.items():
        if _read_cache(root / f"{split}.pt", split, None, remove_bad=False) is not None:
            parts.append(f"{split}: ready (parsed cache)")
        elif all(verify_file(root / n) for n in names):
            parts.append(f"{split}: files verified")
        else:
            parts.append(f"{split}: missing")
    where = f"{root}: " + ", ".join(parts)
    if all(p.endswith(("ready (parsed cache)", "files verified")) for p in parts):
        return where
    for mirror in local_mirrors():
        if all((mirror / n).is_file() for pair in FILES.values() for n in pair):
            return where + f"; will copy from local mirror {mirror} on first use"
    return (where + f"; will download from {MIRROR_URLS[0]} on first use "
            "(offline? set GANLAB_MNIST_MIRROR to a folder with the four .gz files)")
