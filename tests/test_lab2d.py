"""The 2-D GAN lab, driven headless: the trainer's switches, the frame's views, the controls, drawing,
messages instead of tracebacks, presets and export."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from ganlab.core import TrainingDiverged, load_checkpoint
from ganlab.toy import LAB_PRESETS, LOSSES_2D, MLPConfig, Toy2DConfig, Toy2DTrainer, lab_preset, target2d
from ganlab.viz import small_texts
from ganlab.widgets import Dashboard2D, Dashboard2DConfig
from ganlab.widgets.lab2d_controls import CUSTOM, DRAW

SMALL = MLPConfig(width=16)


def small_cfg(**kw):
    return Toy2DConfig(**{**dict(g=SMALL, d=SMALL, batch_size=64, log_every=10, n_eval=400, w1_n=64), **kw})


def small_lab(**kw):
    return Dashboard2D(small_cfg(**kw), Dashboard2DConfig(redraw_hz=1000.0))


def frame(lab) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(lab.canvas.frame)).convert("RGB")).astype(int)


# ----- the trainer -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", LOSSES_2D)
def test_every_loss_trains_and_records(loss):
    t = Toy2DTrainer(small_cfg(loss=loss))
    t.step(30)
    h = t.history
    assert len(h) == 4 and h.array("step")[-1] == 30
    for k in ("loss_d", "loss_g", "covered", "quality", "jsd", "w1"):
        assert np.isfinite(h.array(k)[-1]), k


def test_spectral_norm_and_mbstd_change_the_discriminator():
    t = Toy2DTrainer(small_cfg(spectral_norm=True, mbstd=True))
    first = t.D.net[0]
    assert first.in_features == 3 and hasattr(first, "parametrizations")  # 2 coordinates + the batch spread
    t.step(20)
    for layer in t.D.net:
        if isinstance(layer, torch.nn.Linear):
            sigma = torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item()
            assert sigma == pytest.approx(1.0, abs=0.05)  # each layer's largest singular value is ~1


def test_substeps_make_one_iteration():
    t = Toy2DTrainer(small_cfg(k_d=3, k_g=2))
    assert t.substep() == "d" and (t.d_updates, t.g_updates, t.iteration) == (3, 0, 0)
    assert t.substep() == "g" and (t.d_updates, t.g_updates, t.iteration) == (3, 2, 1)
    t.substep()
    t.step(1)  # finishes the half-done iteration: no extra D updates
    assert (t.d_updates, t.g_updates, t.iteration) == (6, 4, 2)


def test_live_settings_keep_the_run_and_network_settings_reset_it():
    t = Toy2DTrainer(small_cfg())
    t.step(10)
    assert t.set(lr_d=1e-4, betas=(0.0, 0.9), k_d=2, loss="hinge") == set()
    assert t.iteration == 10 and t.opt_d.param_groups[0]["lr"] == 1e-4 and t.opt_g.param_groups[0]["betas"] == (0.0, 0.9)
    assert t.set(noise_dim=1) == {"noise_dim"} and t.iteration == 0 and t.G.net[0].in_features == 1
    with pytest.raises(ValueError, match=r"lr_g must be in \(0, 10\], got 0"):
        t.set(lr_g=0)
    assert t.config.lr_g > 0 and t.opt_g.param_groups[0]["lr"] == t.config.lr_g  # refused: nothing changed


def test_divergence_restores_the_last_good_state():
    t = Toy2DTrainer(small_cfg(optimizer="sgd", lr_d=10.0, lr_g=10.0, loss="wgan-gp", target=target2d("grid of 25")))
    with pytest.raises(TrainingDiverged, match="smaller learning rates"):
        for _ in range(200):
            t.step(10)
    assert all(torch.isfinite(p).all() for p in t.G.parameters())


def test_state_dict_round_trip(tmp_path):
    from ganlab.core import save_atomic
    a = Toy2DTrainer(small_cfg(spectral_norm=True))
    a.step(30)
    save_atomic(a.state_dict(), tmp_path / "s.pt")
    b = Toy2DTrainer(small_cfg(spectral_norm=True))
    b.load_state_dict(load_checkpoint(tmp_path / "s.pt"))  # weights_only
    assert b.iteration == 30 and np.allclose(a.samples(50), b.samples(50))
    with pytest.raises(ValueError, match="does not fit"):
        Toy2DTrainer(small_cfg(g=MLPConfig(width=8))).load_state_dict(a.state_dict())


def test_generator_pull_points_towards_the_data():
    t = Toy2DTrainer(small_cfg(target=target2d("two Gaussians")))
    t.step_d(300)  # a trained D against a G stuck near 0: the push on the fakes points at the modes
    x, v = t.generator_pull(64)
    assert x.shape == v.shape == (64, 2) and np.all(np.isfinite(v))
    modes = t.config.target.points
    towards_a_mode = [max(np.dot(v_i, m - x_i) for m in modes) > 0 for x_i, v_i in zip(x, v)]
    assert np.mean(towards_a_mode) > 0.9


# ----- the frame --------------------------------------------------------------------------------------------------
def test_frames_render_at_the_width_shown_and_change():
    lab = small_lab()
    first = lab.canvas.frame
    stats = lab.run(40)
    assert stats["frames"] >= 2 and lab.canvas.frame != first
    assert frame(lab).shape == (600, 960, 3)
    assert 'class="ganlab-step-count">40<' in lab.controls.readout.value
    assert small_texts(lab.figure.fig) == []  # projector standard: no text under 14 px


def test_heat_map_is_painted_the_right_way_up():
    """D high only where x > 1 and y > 1: the frame must be green in the top-right of the data plane only."""
    lab = small_lab()
    lab.figure.show_layers(["heat"])
    lab.trainer.d_values = lambda p: ((p[:, 0] > 1) & (p[:, 1] > 1)).astype(float)
    lab.redraw()
    img, b = frame(lab), lab.canvas.box
    at = lambda x, y: img[int(b["top"] + (b["ymax"] - y) / (b["ymax"] - b["ymin"]) * (b["bottom"] - b["top"])),
                          int(b["left"] + (x - b["xmin"]) / (b["xmax"] - b["xmin"]) * (b["right"] - b["left"]))]
    green, blue = at(2.2, 2.2), at(-2.2, -2.2)
    assert green[1] > green[2] and blue[2] > blue[1]  # real (1) is green, fake (0) blue
    top_left, bottom_right = at(-2.2, 2.2), at(2.2, -2.2)
    assert top_left[2] > top_left[1] and bottom_right[2] > bottom_right[1]


def test_views_can_be_switched_off():
    lab = small_lab()
    lab.controls.w_layers["arrows"].value = False
    assert not lab.figure.arrows.get_visible() and lab.figure.note.get_text() == ""
    with pytest.raises(ValueError, match="unknown view"):
        lab.figure.show_layers(["stars"])


def test_snapshot_is_a_static_png():
    lab = small_lab()
    lab.run(20)
    im = Image.open(io.BytesIO(lab.snapshot()))
    assert im.format == "PNG" and im.size == (960, 600)


# ----- controls ---------------------------------------------------------------------------------------------------
def test_play_ticks_train_and_pause_stops():
    lab = small_lab()
    lab.tick()
    assert lab.trainer.iteration == 0
    lab.play()
    lab.controls.ticker.value += 1
    n = lab.trainer.iteration  # how many a tick trains depends on the machine's speed, so the test does not fix it
    assert n > 0 and len(lab.trainer.history) == 1 + n // lab.trainer.config.log_every
    lab.pause()
    lab.controls.ticker.value += 1
    assert lab.trainer.iteration == n


def test_step_buttons_and_reset():
    lab = small_lab()
    c = lab.controls
    c.b_step_d.click()
    c.b_step_g.click()
    c.b_step.click()
    assert (lab.trainer.d_updates, lab.trainer.g_updates, lab.trainer.iteration) == (2, 2, 1)
    assert 'class="ganlab-d-updates">2<' in c.readout.value
    c.b_reset.click()
    assert lab.trainer.iteration == 0 and lab.trainer.d_updates == 0


def test_slow_motion_shows_d_then_g():
    lab = small_lab()
    lab.controls.w_speed.value = "slow motion (sub-steps)"
    lab.play()
    lab._last_sub = 0.0
    lab.advance(0.1)
    assert "1/2" in lab.figure.phase_text and lab.trainer.d_updates == 1 and lab.trainer.g_updates == 0
    lab.advance(0.1)  # too soon: nothing happens until substep_s has passed
    assert lab.trainer.g_updates == 0
    lab._last_sub = 0.0
    lab.advance(0.1)
    assert "2/2" in lab.figure.phase_text and lab.trainer.iteration == 1


def test_switching_target_and_loss_keeps_the_networks():
    lab = small_lab()
    lab.run(20)
    lab.controls.w_target.value = "two moons"
    lab.controls.w_loss.value = "lsgan"
    assert lab.trainer.iteration == 20 and lab.trainer.config.target.name == "two moons"
    assert 'class="ganlab-target">two moons<' in lab.controls.readout.value
    assert 'class="ganlab-loss-kind">lsgan<' in lab.controls.readout.value
    lab.controls.w_noise.value = "uniform"
    assert lab.trainer.iteration == 0 and "Reset" in lab.controls.message.value


def test_drawing_on_the_canvas_makes_the_target():
    lab = small_lab()
    lab.controls.w_target.value = DRAW
    assert lab.canvas.drawing and "Click or drag" in lab.controls.message.value
    lab.canvas._on_message(lab.canvas, {"kind": "points", "points": [[0.5, 1.0], [1.5, 1.0], [-1.0, -2.0]]}, [])
    t = lab.trainer.config.target
    assert t.describe() == "drawn points (3)" and t.box() == 3.0 and np.allclose(t.points[2], [-1, -2])
    lab.canvas._on_message(lab.canvas, {"kind": "points", "points": [[2.0, 2.0]]}, [])
    assert lab.trainer.config.target.describe() == "drawn points (4)"
    lab.controls.w_draw_sd.value = 0.3
    assert lab.trainer.config.target.sd == 0.3
    lab.controls.w_target.value = "line"
    assert not lab.canvas.drawing and lab.trainer.config.target.name == "line"


def test_arrays_and_csv_files_are_targets(tmp_path):
    lab = small_lab()
    lab.set_target(np.random.default_rng(0).normal(5, 2, size=(300, 2)))
    assert lab.controls.w_target.value == CUSTOM and "scaled" in lab.controls.message.value
    p = tmp_path / "pts.csv"
    p.write_text("x,y\n0,0\n1,oops\n")
    lab._guard(lab.set_target)(p)
    assert "pts.csv line 3: expected two numbers x,y" in lab.controls.message.value
    lab2 = Dashboard2D(small_cfg(), target="two Gaussians")
    assert lab2.trainer.config.target.name == "two Gaussians" and lab2.controls.w_target.value == "two Gaussians"


def test_bad_input_shows_a_message_and_the_control_reverts():
    lab = small_lab()
    lab.controls.w_seed.value = -5
    assert "seed must be an integer in 0..4294967295, got -5" in lab.controls.message.value
    assert lab.trainer.config.seed == 0 and lab.controls.w_seed.value == 0
    lab.controls.w_lr_d.value = 20.0  # the slider clips; the API refuses
    with pytest.raises(ValueError, match="batch_size must be an integer in 2..10000"):
        lab.set(batch_size=1)
    with pytest.raises(ValueError, match="unknown setting"):
        lab.set(temperature=2)


def test_an_error_while_playing_pauses_and_is_shown(monkeypatch):
    lab = small_lab()
    lab.play()

    def boom(n=1):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(lab.trainer, "step", boom)
    lab.controls.ticker.value += 1
    assert "RuntimeError: kaboom" in lab.controls.message.value and "traceback" in lab.controls.message.value
    assert not lab.playing


def test_divergence_while_playing_pauses_with_advice():
    lab = Dashboard2D(small_cfg(optimizer="sgd", lr_d=10.0, lr_g=10.0, loss="wgan-gp", target=target2d("grid of 25")),
                      Dashboard2DConfig(redraw_hz=1000.0))
    lab.play()
    for _ in range(100):
        lab.controls.ticker.value += 1
        if not lab.playing:
            break
    assert not lab.playing and "non-finite" in lab.controls.message.value
    assert "smaller learning rates" in lab.controls.message.value


@pytest.mark.parametrize("kw, match", [(dict(tick_ms=1), "tick_ms"), (dict(speed="warp"), "unknown speed"),
                                       (dict(frame_format="gif"), "frame_format"), (dict(draw_sd=0), "draw_sd")])
def test_bad_lab_config(kw, match):
    with pytest.raises(ValueError, match=match):
        Dashboard2DConfig(**kw).validate()


# ----- presets and export -----------------------------------------------------------------------------------------
def test_presets_build_and_the_shipped_weights_load():
    for name in LAB_PRESETS:
        lab_preset(name).config.validate()
    p = lab_preset("ring_trained")
    path = p.weights_path()
    assert path.is_file() and path.stat().st_size < 100_000
    t = p.trainer()
    assert t.iteration == p.train_steps and t.final("covered") == 8 and p.loaded_from == str(path)
    assert t.substep() == "d" and t.substep() == "g" and t.iteration == p.train_steps + 1  # and it trains on


def test_choosing_a_preset_in_the_lab():
    lab = small_lab()
    lab.controls.w_preset.value = "collapse_strong_d"
    c = lab.trainer.config
    assert (c.loss, c.k_d, c.lr_d) == ("minimax", 10, 1e-2)
    assert lab.controls.w_loss.value == "minimax" and lab.controls.w_k_d.value == 10
    assert "mode collapse" in lab.controls.message.value


def test_export_gif_and_csv(tmp_path):
    lab = small_lab()
    lab.view.export_dir = str(tmp_path)
    lab.run(30)
    gif, csv = lab.export()
    assert Image.open(gif).n_frames >= 2
    head = csv.read_text().splitlines()[0].split(",")
    assert {"step", "loss_d", "loss_g", "covered", "quality", "jsd", "w1"} <= set(head)


def test_without_anywidget_the_lab_still_shows_frames():
    """An install without requirements.txt has no anywidget: the picture falls back to an ipywidgets.Image."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['anywidget'] = None\n"  # makes `import anywidget` raise ImportError
            "from ganlab.widgets import Dashboard2D, Dashboard2DConfig\n"
            "from ganlab.widgets.lab2d_controls import DRAW\n"
            "lab = Dashboard2D(view=Dashboard2DConfig(redraw_hz=1000)); lab.run(10)\n"
            "assert type(lab.canvas).__mro__[1].__name__ == 'Image' and lab.canvas.value == lab.canvas.frame\n"
            "lab.controls.w_target.value = DRAW\n"
            "assert 'needs the anywidget package' in lab.controls.message.value\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


def test_the_panel_refuses_what_its_controls_cannot_show():
    """Review: a config beyond the sliders' ranges used to be clamped silently (the panel showed another value
    than the trainer used), an unlisted batch size raised a TraitError, and w1_n > n_eval gave W1 = nan."""
    from ganlab.toy import Toy2DConfig
    from ganlab.widgets import Dashboard2D
    assert Dashboard2D(Toy2DConfig(batch_size=100)).controls.w_batch.value == 100
    for bad, name in ((dict(k_d=20), "k_d"), (dict(g=MLPConfig(depth=7)), "layers")):
        with pytest.raises(ValueError, match=name):
            Dashboard2D(Toy2DConfig(**bad))
    with pytest.raises(ValueError, match="w1_n"):
        Toy2DConfig(n_eval=100, w1_n=128).validate()
