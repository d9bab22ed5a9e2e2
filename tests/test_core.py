"""ganlab.core: scoped settings, bounded buffers, atomic files, the PNG/GIF encoder, where data lives."""

import io
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganlab.core import (BoundedList, History, atomic_write, encode_png, num_threads, paths, save_gif, save_png,
                         seeded)


def test_num_threads_is_scoped_and_validated():
    before = torch.get_num_threads()
    with num_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="positive integer, got 0"):
        with num_threads(0):
            pass


def test_seeded_draws_the_same_and_leaves_the_caller_stream_alone():
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    with seeded(7):
        a = torch.rand(2)
    with seeded(7):
        b = torch.rand(2)
    assert torch.equal(a, b)
    assert torch.equal(torch.rand(3), expected_next)  # as if the blocks never ran


def test_bounded_buffers_thin_to_span_the_run():
    h, frames = History(maxlen=8), BoundedList(8)
    for i in range(100):
        h.append(step=i, value=float(i) ** 0.5, per_model=np.array([i, -i]))
        frames.add(i)
    steps = h.array("step")
    assert len(steps) <= 8 + 1 and len(frames) <= 8 + 1
    assert steps[0] == 0 and steps[-1] >= 100 - 2 * h.stride  # still spans the run
    assert frames.items == [int(s) for s in steps]  # the one thinning rule for both
    assert h.array("per_model").shape == (len(steps), 2)
    assert h.to_dict()["per_model"][1] == [float(steps[1]), -float(steps[1])]


def test_atomic_write_leaves_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "deep" / "file.bin"
    atomic_write(target, lambda f: f.write(b"good"))

    def broken(f):
        f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, broken)
    assert target.read_bytes() == b"good"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]  # no temporary left behind


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (5, 7, 4)])
def test_png_round_trips_through_pil(shape):
    img = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    back = np.asarray(Image.open(io.BytesIO(encode_png(img))))
    assert np.array_equal(back, img)
    big = np.asarray(Image.open(io.BytesIO(encode_png(img, scale=3))))
    assert big.shape[:2] == (15, 21) and np.array_equal(big[::3, ::3], img)


def test_png_and_gif_files(tmp_path):
    frames = [np.full((6, 8, 3), v, np.uint8) for v in (0, 128, 255)]
    assert np.array_equal(np.asarray(Image.open(save_png(frames[1], tmp_path / "a.png"))), frames[1])
    gif = Image.open(save_gif([encode_png(f) for f in frames], tmp_path / "a.gif", fps=10))
    assert gif.format == "GIF" and gif.n_frames == 3
    for k, f in enumerate(frames):   # one shared palette still gives every frame its own colours back
        gif.seek(k)
        assert np.array_equal(np.asarray(gif.convert("RGB")), f)
    with pytest.raises(ValueError, match="no frames"):
        save_gif([], tmp_path / "b.gif")
    with pytest.raises(ValueError, match="uint8"):
        encode_png(np.zeros((3, 3)))


def test_data_and_runs_live_outside_an_installed_package(tmp_path, monkeypatch):
    monkeypatch.delenv("GANLAB_DATA", raising=False)
    monkeypatch.delenv("GANLAB_RUNS", raising=False)
    repo = paths.repo_root()
    assert repo is not None and paths.data_dir() == repo / "data" and paths.runs_dir() == repo / "runs"
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    (site / "ganlab").mkdir(parents=True)
    monkeypatch.setattr(paths, "PACKAGE", site / "ganlab")
    assert paths.repo_root() is None
    import platformdirs
    assert paths.data_dir() == Path(platformdirs.user_cache_dir("ganlab"))
    assert paths.runs_dir() == Path(platformdirs.user_data_dir("ganlab")) / "runs"
    for d in (paths.data_dir(), paths.runs_dir()):
        assert "site-packages" not in d.parts
    with pytest.raises(FileNotFoundError, match="checkpoints"):
        paths.checkpoints_dir()
    monkeypatch.setenv("GANLAB_DATA", str(tmp_path / "d"))
    monkeypatch.setenv("GANLAB_RUNS", str(tmp_path / "r"))
    assert paths.data_dir() == tmp_path / "d" and paths.runs_dir() == tmp_path / "r"


def test_an_installed_package_finds_its_shipped_checkpoints(tmp_path, monkeypatch):
    """After a plain pip install the checkpoints are package data, ganlab/checkpoints in site-packages
    (setup.py); a checkout keeps using <repo>/checkpoints."""
    assert paths.checkpoints_dir() == paths.repo_root() / "checkpoints"
    pkg = tmp_path / "lib" / "python3.11" / "site-packages" / "ganlab"
    (pkg / "checkpoints").mkdir(parents=True)
    monkeypatch.setattr(paths, "PACKAGE", pkg)
    assert paths.repo_root() is None and paths.checkpoints_dir() == pkg / "checkpoints"


def test_a_killed_writer_leaves_nothing_behind_for_long(tmp_path):
    """Minor item of issue 14: SIGKILL left orphan .tmp/.part files; the next write of that file removes them."""
    import os
    target = tmp_path / "last.pt"
    old = [tmp_path / "last.pt.abc123.part", tmp_path / "last.pt.zz9.tmp"]
    fresh = tmp_path / "last.pt.live.part"  # a writer that may still be running
    for p in old + [fresh]:
        p.write_bytes(b"half")
    for p in old:
        os.utime(p, (time.time() - 3600, time.time() - 3600))
    atomic_write(target, lambda f: f.write(b"whole"))
    assert target.read_bytes() == b"whole"
    assert not any(p.exists() for p in old) and fresh.exists()
