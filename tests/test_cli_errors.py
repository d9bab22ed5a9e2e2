"""Nothing lost, every bad input a clear error (issue 14): one line on stderr, exit 2 for a user's
mistake (1 for a failed run), checked before any work starts; checkpoints never overwritten."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch

from ganlab.__main__ import main
from ganlab.cli import images as cli_images
from ganlab.core import load_checkpoint
from ganlab.images import DCGANTrainer, MnistCNN, classifier_fid

DRY = ["dcgan", "train", "--dry-run", "--device", "cpu", "--no-progress"]


def one_error_line(capsys, *needles) -> str:
    err = capsys.readouterr().err.strip()
    lines = err.splitlines()
    assert lines and lines[-1].startswith("ganlab: error: ") and "Traceback" not in err, err
    for n in needles:
        assert n in lines[-1], lines[-1]
    return lines[-1]


def test_a_real_run_refuses_to_resume_a_dry_run_checkpoint(tmp_path, capsys):
    """14.1: after a dry run into DIR, `train --out DIR` silently resumed the tiny fake-data model."""
    out = tmp_path / "run"
    assert main(DRY + ["--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["dcgan", "train", "--device", "cpu", "--out", str(out), "--no-progress"]) == 2
    one_error_line(capsys, "was written by --dry-run")


def test_divergence_in_the_cli_saves_the_last_good_state(tmp_path, capsys, monkeypatch):
    """14.4: a raw TrainingDiverged traceback, and the rolled-back good state was never saved."""
    real_step = DCGANTrainer.train_step

    def goes_nan(self):
        stats = real_step(self)
        return stats * math.nan if self.step > 4 else stats

    monkeypatch.setattr(DCGANTrainer, "train_step", goes_nan)
    out = tmp_path / "run"
    assert main(DRY + ["--out", str(out)]) == 1
    line = one_error_line(capsys, "non-finite", "--lr-g")
    assert load_checkpoint(out / "last.pt")["step"] == 4 and "step 4" in line


@pytest.mark.parametrize("argv, needle", [
    (["toy", "--steps", "50", "--gif", "{tmp}/out.txt"], "--gif {tmp}/out.txt must end in .gif"),
    (["toy", "--steps", "50", "--metrics", "{tmp}/blocker/m.json"], "cannot write to"),
    (DRY + ["--out", "{tmp}/blocker/run"], "cannot write to --out folder"),
    (["dcgan", "eval", "{tmp}/s.npy", "--json", "{tmp}"], "must end in .json"),
    (["dcgan", "sample", "--checkpoint", "{tmp}/none.pt", "--out", "{tmp}/s.txt"], "must end in .npy"),
])
def test_output_paths_are_checked_before_the_work(tmp_path, capsys, argv, needle):
    """14.7: `toy --gif out.txt` failed after training; a read-only --out at the first save; --json DIR
    after the whole evaluation."""
    (tmp_path / "blocker").write_text("a file where a folder should be")
    np.save(tmp_path / "s.npy", np.zeros((4, 28, 28), np.uint8))
    t0 = time.perf_counter()
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    one_error_line(capsys, needle.format(tmp=tmp_path))
    assert time.perf_counter() - t0 < 5  # refused at once: nothing was trained, loaded or evaluated


@pytest.mark.parametrize("content", [b"definitely not a checkpoint\n", "truncated"])
def test_unreadable_checkpoints_are_named_not_tracebacks(tmp_path, capsys, content):
    """14.8: miniz RuntimeError / KeyError tracebacks, and a truncated conditional last.pt misreported."""
    out = tmp_path / "run"
    if content == "truncated":
        assert main(DRY + ["--conditional", "--out", str(out)]) == 0
        capsys.readouterr()
        (out / "DRY_RUN").unlink()
        blob = (out / "last.pt").read_bytes()
        (out / "last.pt").write_bytes(blob[: len(blob) // 2])
    else:
        out.mkdir()
        (out / "last.pt").write_bytes(content)
    assert main(["dcgan", "sample", "--checkpoint", str(out / "last.pt"), "--out", str(tmp_path / "s.npy")]) == 2
    one_error_line(capsys, f"cannot read checkpoint {out / 'last.pt'}")
    assert main(["dcgan", "train", "--conditional", "--device", "cpu", "--out", str(out), "--no-progress"]) == 2
    line = one_error_line(capsys, "cannot read checkpoint")
    assert "unconditional" not in line


def test_resume_refuses_flags_it_would_ignore(tmp_path, capsys, monkeypatch):
    """14.9: resume ignored --ngf/--batch-size/--seed/--amp without a word."""
    out = tmp_path / "run"
    assert main(DRY + ["--out", str(out)]) == 0
    (out / "DRY_RUN").unlink()  # treat it as a real run from here on
    data = torch.randint(0, 256, (256, 28, 28), dtype=torch.uint8)
    monkeypatch.setattr(cli_images, "DRY_RUN_STEPS", 2)
    real_load = DCGANTrainer.load
    monkeypatch.setattr(DCGANTrainer, "load", classmethod(lambda cls, p, **kw: real_load.__func__(cls, p, **{**kw, "data": data})))
    capsys.readouterr()
    assert main(["dcgan", "train", "--device", "cpu", "--out", str(out), "--ngf", "16", "--no-progress"]) == 2
    one_error_line(capsys, "--ngf 16 differs from the checkpoint's ngf=4", "--fresh")
    assert main(["dcgan", "train", "--device", "cpu", "--out", str(out), "--seed", "3", "--no-progress"]) == 2
    one_error_line(capsys, "--seed 3 differs from the checkpoint's seed=0")


@pytest.mark.parametrize("argv, needle", [
    (DRY + ["--save-every", "nan"], "--save-every must be a number of seconds > 0"),
    (DRY + ["--seed", str(2**70)], "seed must be an integer in 0..4294967295"),
    (DRY + ["--batch-size", "1"], "batch_size must be at least 2"),
    (["dcgan", "eval", "{tmp}/s.npy", "--nn", "-5"], "--nn must be at least 1"),
    (["dcgan", "eval", "{tmp}/one.npy"], "need at least 2"),
    (["dcgan", "eval", "{tmp}/s.npz"], "several arrays (.npz)"),
    (["dcgan", "sample", "--checkpoint", "{tmp}/x.pt", "--seed", "-1"], "--seed must be an integer in 0..4294967295"),
])
def test_bad_values_are_one_line_errors(tmp_path, capsys, argv, needle):
    """14.9 and the minor items: each of these used to be ignored, mis-reported or a traceback."""
    np.save(tmp_path / "s.npy", np.zeros((4, 28, 28), np.uint8))
    np.save(tmp_path / "one.npy", np.zeros((1, 28, 28), np.uint8))
    np.savez(tmp_path / "s.npz", a=np.zeros((4, 28, 28), np.uint8))
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    one_error_line(capsys, needle)


def test_the_first_checkpoint_comes_early(tmp_path, monkeypatch):
    """14.9: with --save-every 60 a kill in the first minute lost everything."""
    saves = []
    real_save = DCGANTrainer.save
    monkeypatch.setattr(DCGANTrainer, "save", lambda self, p: saves.append(self.step) or real_save(self, p))
    monkeypatch.setattr(cli_images, "FIRST_SAVE_S", 0.0)
    assert main(DRY + ["--out", str(tmp_path / "run"), "--save-every", "1e9"]) == 0
    assert len(saves) >= 2 and saves[0] < saves[-1]  # one during training, then the final one


def test_metrics_refuse_images_on_the_wrong_scale():
    """14.5: real images / 255 gave FID 142 instead of 5.2, floats 0..255 gave 2.2e7."""
    imgs = torch.randint(0, 256, (8, 28, 28), dtype=torch.uint8)
    imgs[:, :8] = 0  # MNIST-like background: most pixels exactly 0
    imgs[:, 18:] = 0
    with pytest.raises(ValueError, match="look like pixels / 255"):
        classifier_fid(imgs.float() / 255, imgs, MnistCNN())
    with pytest.raises(ValueError, match=r"must be in \[-1, 1\]"):
        classifier_fid(imgs.float(), imgs, MnistCNN())
