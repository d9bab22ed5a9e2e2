"""DCGAN networks, trainer, checkpoints and CLI on tiny configs and tiny random data (CPU only)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from ganlab.core import TrainingDiverged, load_checkpoint
from ganlab.core import checkpoint as ckpt
from ganlab.images import (DCGANConfig, count_parameters, layer_shapes, layer_table, Discriminator, Generator,
                           DCGANTrainer, image_grid, to_unit, to_uint8)

TINY = dict(nz=8, ngf=4, ndf=4, batch_size=16, log_every=1)


@pytest.fixture(scope="module")
def data():
    return torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))


def test_shapes_and_tanh_range():
    cfg = DCGANConfig(nz=10, ngf=8, ndf=8)
    G, D = Generator(cfg), Discriminator(cfg)
    x = G(torch.randn(5, 10))
    assert x.shape == (5, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1
    assert D(x).shape == (5,)


def test_layer_shapes_trail():
    cfg = DCGANConfig(nz=10, ngf=8, ndf=8)
    g = layer_shapes(Generator(cfg))
    assert g[0] == ("input", (2, 10), 0)
    shapes = [s for _, s, _ in g]
    assert (2, 16, 7, 7) in shapes and (2, 8, 14, 14) in shapes and shapes[-1] == (2, 1, 28, 28)
    d = layer_shapes(Discriminator(cfg))
    assert [s for _, s, _ in d][-1] == (2,)
    assert (2, 8, 14, 14) in [s for _, s, _ in d] and (2, 16, 7, 7) in [s for _, s, _ in d]
    assert sum(p for _, _, p in g) == count_parameters(Generator(cfg))
    assert "total" in layer_table(Discriminator(cfg))


def test_discriminator_outputs_logits_not_probabilities():
    cfg = DCGANConfig(nz=10, ngf=8, ndf=8)
    D = Discriminator(cfg)
    assert not any(isinstance(m, nn.Sigmoid) for m in D.modules())
    with torch.no_grad():
        D.logit.bias.fill_(5.0)  # a logit can leave [0, 1]; a probability cannot
        out = D(torch.zeros(3, 1, 28, 28))
    assert (out > 1).all()
    # DCGAN rules: no batch norm directly after the first conv; LeakyReLU(0.2)
    assert isinstance(D.features[1], nn.LeakyReLU) and D.features[1].negative_slope == 0.2
    assert not any(isinstance(m, nn.MaxPool2d) for m in D.modules())


def test_init_statistics():
    torch.manual_seed(0)
    cfg = DCGANConfig(ngf=32, ndf=32)
    G, D = Generator(cfg), Discriminator(cfg)
    for m in list(G.modules()) + list(D.modules()):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and m.weight.numel() > 5000:
            assert abs(m.weight.mean().item()) < 0.002
            assert m.weight.std().item() == pytest.approx(0.02, rel=0.05)
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and m.weight.numel() >= 64:
            assert m.weight.mean().item() == pytest.approx(1.0, abs=0.01)
            assert (m.bias == 0).all()


def test_pixel_conversions_round_trip():
    u8 = torch.arange(256, dtype=torch.uint8).repeat(4)[:784].view(1, 28, 28)
    x = to_unit(u8)
    assert x.shape == (1, 1, 28, 28) and x.min() == -1 and x.max() == 1
    assert torch.equal(to_uint8(x), u8)
    assert image_grid(u8.repeat(3, 1, 1), nrow=2).shape == (2 * 30 + 2, 2 * 30 + 2)


def test_resume_is_exact(data, tmp_path):
    cfg = DCGANConfig(**TINY, amp="off")
    straight = DCGANTrainer(cfg, device="cpu", data=data)
    straight.train(steps=8, progress=False)  # 8 steps cross an epoch boundary (4 steps per epoch)

    half = DCGANTrainer(cfg, device="cpu", data=data)
    half.train(steps=4 + 2, progress=False)
    path = half.save(tmp_path / "run" / "last.pt")
    torch.manual_seed(1234)  # disturb the global RNGs: the checkpoint must restore them
    np.random.seed(99)
    resumed = DCGANTrainer.load(path, device="cpu", data=data)
    resumed.train(steps=2, progress=False)

    assert resumed.step == straight.step == 8
    assert resumed.history["loss_D"] == straight.history["loss_D"]
    assert resumed.history["loss_G"] == straight.history["loss_G"]
    for a, b in zip(straight.state_dict()["G"].values(), resumed.state_dict()["G"].values()):
        assert torch.equal(a, b)
    assert straight.G_ema.updates == resumed.G_ema.updates == 8  # the weight average resumes exactly too
    for a, b in zip(straight.G_sample.state_dict().values(), resumed.G_sample.state_dict().values()):
        assert torch.equal(a, b)
    for a, b in zip(straight.state_dict()["D"].values(), resumed.state_dict()["D"].values()):
        assert torch.equal(a, b)
    assert torch.equal(straight.sample(4, seed=3), resumed.sample(4, seed=3))


def test_checkpoint_is_plain_and_atomic(data, tmp_path):
    tr = DCGANTrainer(DCGANConfig(**TINY), device="cpu", data=data)
    tr.train(steps=2, progress=False)
    path = tr.save(tmp_path / "last.pt")
    state = torch.load(path, weights_only=True)  # the safe loader accepts it
    assert state["config"] == tr.config.to_dict() and state["step"] == 2
    assert set(state["rng"]) >= {"python", "numpy", "torch_cpu", "torch_cuda", "noise"}
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]  # no temporary file left


def test_save_atomic_keeps_old_file_on_failure(tmp_path, monkeypatch):
    path = ckpt.save_atomic({"a": 1}, tmp_path / "x.pt")

    def broken(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(torch, "save", broken)
    with pytest.raises(OSError):
        ckpt.save_atomic({"a": 2}, path)
    monkeypatch.undo()
    assert ckpt.load(path) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.pt"]


def test_nan_guard_rolls_back(data):
    tr = DCGANTrainer(DCGANConfig(**{**TINY, "log_every": 2}), device="cpu", data=data)

    def poison(t):
        if t.step == 5:
            with torch.no_grad():
                t.D.logit.weight.fill_(float("nan"))
    with pytest.raises(TrainingDiverged, match=r"loss_D.*non-finite.*rolled back to step 4.*learning rate"):
        tr.train(steps=10, progress=False, step_hook=poison)
    assert tr.step == 4
    assert all(torch.isfinite(p).all() for p in tr.D.parameters())
    assert all(math.isfinite(v) for v in tr.history["loss_D"]) and tr.history["step"][-1] == 4
    tr.train(steps=2, progress=False)  # it can carry on from the good state


@pytest.mark.parametrize("kwargs, match", [
    (dict(batch_size=100), r"batch_size 100 is larger than the data \(64 images\).*1\.\.64"),
    (dict(lr_g=0.0), r"lr_g must be a learning rate in \(0, 1\), got 0.0"),
    (dict(lr_d=-1e-3), r"lr_d .* got -0.001"),
])
def test_bad_inputs(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        DCGANTrainer(DCGANConfig(**{**TINY, **kwargs}), device="cpu", data=data)


def test_bad_device_and_budget(data):
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        DCGANTrainer(DCGANConfig(**TINY), device="tpu", data=data)
    tr = DCGANTrainer(DCGANConfig(**TINY), device="cpu", data=data)
    with pytest.raises(ValueError, match="epochs, minutes or steps"):
        tr.train()
    with pytest.raises(ValueError, match="minutes must be a positive number, got -1"):
        tr.train(minutes=-1)


def test_minutes_budget_stops(data):
    tr = DCGANTrainer(DCGANConfig(**TINY), device="cpu", data=data)
    tr.train(minutes=0.02, progress=False)  # 1.2 s of training time, no step limit: it must return
    assert tr.step >= 1 and tr.history["step"][-1] == tr.step


def test_cli_dry_run_sample_eval_plumbing(tmp_path, capsys):
    from ganlab.__main__ import main
    out = tmp_path / "run"
    assert main(["dcgan", "train", "--dry-run", "--device", "cpu", "--out", str(out), "--no-progress"]) == 0
    assert (out / "last.pt").is_file() and (out / "grid_last.png").is_file()
    hist = json.loads((out / "history.json").read_text())
    assert hist["step"][-1] == 6 and len(hist["loss_G"]) == len(hist["step"])
    npy = tmp_path / "s.npy"
    assert main(["dcgan", "sample", "--checkpoint", str(out / "last.pt"), "--n", "5", "--out", str(npy),
                 "--device", "cpu"]) == 0
    arr = np.load(npy)
    assert arr.shape == (5, 28, 28) and arr.dtype == np.uint8
    assert main(["dcgan", "sample", "--checkpoint", str(tmp_path / "none.pt"), "--out", str(npy)]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_gpu_checkpoint_loads_on_cpu(data, tmp_path):
    """A checkpoint written on CUDA (fused Adam flags) loads and trains on a CPU-only machine."""
    tr = DCGANTrainer(DCGANConfig(**TINY), device="cpu", data=data)
    tr.train(steps=2, progress=False)
    state = tr.state_dict()
    for key in ("opt_G", "opt_D"):
        for g in state[key]["param_groups"]:
            g.update(fused=True, foreach=None)
    state["rng"]["torch_cuda"] = [torch.zeros(16, dtype=torch.uint8)]  # a GPU's RNG state, ignored here
    path = ckpt.save_atomic(state, tmp_path / "gpu.pt")
    back = DCGANTrainer.load(path, device="cpu", data=data)
    assert all(not g.get("fused") and g.get("foreach") for g in back.opt_G.param_groups)
    back.train(steps=2, progress=False)
    assert back.step == 4


def test_live_view_draws_png(data):
    from ganlab.viz import LiveView
    tr = DCGANTrainer(DCGANConfig(**TINY), device="cpu", data=data)
    view = LiveView(min_interval=0.0)
    tr.train(steps=3, progress=False, callback=view.update)
    assert view.widget.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(view.l_loss_d.get_xdata()) == tr.history["epoch"]


def test_a_trainer_changes_nothing_outside_itself(data):
    """Threads and cuDNN's flag are set only while train() runs; weights come from a seeded fork."""
    threads, bench = torch.get_num_threads(), torch.backends.cudnn.benchmark
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    tr = DCGANTrainer(DCGANConfig(nz=8, ngf=4, ndf=4, batch_size=16), device="cpu", data=data, threads=1)
    seen = []
    tr.train(steps=3, progress=False, step_hook=lambda t: seen.append(torch.get_num_threads()))
    assert seen == [1, 1, 1]  # the trainer's own setting inside the loop
    assert torch.get_num_threads() == threads and torch.backends.cudnn.benchmark == bench
    assert torch.equal(torch.rand(3), expected)  # the caller's random stream was not touched
    twin = DCGANTrainer(DCGANConfig(nz=8, ngf=4, ndf=4, batch_size=16), device="cpu", data=data, threads=1)
    assert all(torch.equal(a, b) for a, b in zip(twin.G.state_dict().values(),
                                                 DCGANTrainer(twin.config, device="cpu", data=data).G.state_dict().values()))


def test_dry_run_never_overwrites_a_real_checkpoint(tmp_path, capsys):
    from ganlab.__main__ import main
    out = tmp_path / "run"
    out.mkdir()
    (out / "last.pt").write_bytes(b"a real checkpoint")
    assert main(["dcgan", "train", "--dry-run", "--device", "cpu", "--out", str(out), "--no-progress"]) == 2
    assert "would overwrite" in capsys.readouterr().err
    assert (out / "last.pt").read_bytes() == b"a real checkpoint"


def test_layer_table_of_the_conditional_nets():
    from ganlab.images import CGANConfig, CondDiscriminator, CondGenerator
    cfg = CGANConfig(nz=10, ngf=8, ndf=8)
    g_rows, d_rows = layer_shapes(CondGenerator(cfg)), layer_shapes(CondDiscriminator(cfg))
    assert g_rows[0] == ("input", (2, 10), 0) and g_rows[-1][1] == (2, 1, 28, 28)
    assert d_rows[-1][1] == (2,)


def test_a_shipped_generator_reproduces_the_trainer_and_draws_statically(data, tmp_path):
    """The fp16 export notebook 05 loads by default: same images as the trainer's G (to fp16 rounding), and
    the live view's picture drawn from it and a saved history, without a trainer."""
    import io
    from PIL import Image as PILImage
    from ganlab.images import generate, load_generator
    from ganlab.viz import LiveView
    tr = DCGANTrainer(DCGANConfig(**TINY), device="cpu", data=data)
    tr.train(steps=4, progress=False)
    path = tr.export_generator(tmp_path / "g.pt")
    assert path.stat().st_size < 1e6 and load_checkpoint(path)["format"] == "ganlab-dcgan-g-1"
    G = load_generator(path)
    a, b = generate(tr.G_sample, tr.fixed_noise), generate(G, tr.fixed_noise)
    assert (a.int() - b.int()).abs().max() <= 2  # uint8 levels: fp16 weights round, nothing more
    hist = json.loads(json.dumps(tr.history))  # as history.json stores it
    view = LiveView()
    png = view.draw_state(image_grid(b, nrow=8), hist)
    assert view.img_title.get_text() == f"step 4, epoch {4 / tr.steps_per_epoch:.2f}"
    hist["epoch"] = [e * 10 for e in hist["epoch"]]       # another run's history: its own epochs, not ours
    view.draw_state(image_grid(b, nrow=8), hist)
    assert view.img_title.get_text().endswith(f"epoch {40 / tr.steps_per_epoch:.2f}")
    assert PILImage.open(io.BytesIO(png)).size == (960, 400)   # FRAME_WIDTH, shown at that size


def test_weight_average_follows_the_formula_and_is_what_samples(data, tmp_path):
    """w_avg <- d w_avg + (1 - d) w with d = min(decay, (1 + t) / (10 + t)); the trainer samples and exports it."""
    from ganlab.images import load_generator
    from ganlab.images.ema import WeightAverage
    net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    avg = WeightAverage(net, decay=0.5)
    w0 = net[0].weight.detach().clone()
    with torch.no_grad():
        net[0].weight.add_(1.0)
    net.train()(torch.randn(4, 2))                               # moves the batch-norm running stats
    avg.update(net)                                              # t = 0: d = min(0.5, 1/10) = 0.1
    assert torch.allclose(avg.module[0].weight, 0.1 * w0 + 0.9 * (w0 + 1))
    assert torch.allclose(avg.module[1].running_mean, 0.9 * net[1].running_mean)   # started at 0
    assert avg.module[1].num_batches_tracked == net[1].num_batches_tracked == 1
    with pytest.raises(ValueError, match="decay"):
        WeightAverage(net, decay=1.0)
    with pytest.raises(ValueError, match="ema"):
        DCGANConfig(ema=1.5)
    tr = DCGANTrainer(DCGANConfig(**TINY, amp="off", ema=0.9), device="cpu", data=data)
    tr.train(steps=5, progress=False)
    assert tr.G_sample is tr.G_ema.module and not torch.equal(tr.G_sample.project[0].weight, tr.G.project[0].weight)
    G = load_generator(tr.export_generator(tmp_path / "g.pt", half=False))
    assert all(torch.equal(a, b) for a, b in zip(G.state_dict().values(), tr.G_sample.state_dict().values()))
    plain = DCGANTrainer(DCGANConfig(**TINY, amp="off", ema=0.0), device="cpu", data=data)
    assert plain.G_sample is plain.G and plain.state_dict()["G_ema"] is None


def test_a_checkpoint_from_before_r1_and_the_average_resumes_as_it_was_trained():
    """Old checkpoints have no r1 / ema keys: resuming them must not switch the new recipe on."""
    old = {k: v for k, v in DCGANConfig(beta1=0.5, beta2=0.999).to_dict().items() if k not in ("r1", "r1_every", "ema")}
    back = DCGANConfig.from_dict(old)
    assert back.r1 == 0.0 and back.ema == 0.0 and back.beta1 == 0.5
    assert DCGANConfig.from_dict(DCGANConfig().to_dict()) == DCGANConfig()     # a new one round-trips as it is
    from ganlab.images.ema import WeightAverage
    with pytest.raises(ValueError, match="decay"):
        WeightAverage(nn.Linear(1, 1), "0.9")


def test_overfitting_fields_default_off_and_older_configs_load(data):
    from ganlab.images.nets import Dropout
    from ganlab.images.trainer import HISTORY_KEYS
    old = {k: v for k, v in DCGANConfig().to_dict().items()
           if k not in ("augment", "d_dropout", "train_images", "probe_images")}  # a checkpoint from before them
    cfg = DCGANConfig.from_dict(old)
    assert (cfg.augment, cfg.d_dropout, cfg.train_images, cfg.probe_images) == ("", 0.0, 0, 0)
    tr = DCGANTrainer(DCGANConfig(**TINY), device="cpu", data=data)
    assert tr.augment_gen is None and tr.dropout_gen is None and tr.probe is None  # nothing extra is drawn
    assert tuple(tr.history) == HISTORY_KEYS and len(tr.data) == len(data)
    assert not any(isinstance(m, Dropout) for m in tr.D.modules())
    assert not {"augment", "dropout"} & set(tr.state_dict()["rng"])
