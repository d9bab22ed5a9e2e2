"""The live dashboard, driven headless: frames render, controls act, errors show as messages."""

import numpy as np
import pytest
from PIL import Image
import io

from ganlab.widgets import Dashboard, DashboardConfig
from ganlab.theory import LOG2, Gaussian, GaussianMixture, generator_density, optimal_discriminator
from ganlab.viz import ToyFigure
from ganlab.core import encode_png
from ganlab.toy import MLPConfig, ToyConfig


def small_panel(**kw):
    cfg = ToyConfig(g=MLPConfig(width=16), d=MLPConfig(width=16), batch_size=64, log_every=10, **kw)
    return Dashboard(cfg, DashboardConfig(redraw_hz=1000.0))


def test_headless_run_renders_changing_frames():
    p = small_panel()
    first = p.image.value
    stats = p.run(60)
    assert stats["frames"] >= 2 and p.trainer.iteration == 60
    assert p.image.value != first
    im = Image.open(io.BytesIO(p.image.value))
    assert im.size[0] > 500 and im.size[1] > 250
    assert 'class="ganlab-step-count">60<' in p.readout.value


def test_encode_png_round_trips():
    rgb = np.random.default_rng(0).integers(0, 255, size=(7, 5, 3), dtype=np.uint8)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(rgb)))), rgb)
    with pytest.raises(ValueError):
        encode_png(np.zeros((3, 3, 2), np.uint8))


def test_figure_draws_the_exact_curves():
    p = small_panel()
    p.run(30)
    curves = p.figure.update(p.trainer)
    x = curves["x"]
    p_g = generator_density(p.trainer.G, x, n_z=801)
    assert np.allclose(curves["p_g"], p_g, atol=1e-3 * p_g.max())
    d_star = optimal_discriminator(curves["p_data"], curves["p_g"])
    drawn = p.figure.l_dstar.get_ydata()
    ok = np.isfinite(drawn)
    assert ok.sum() > 50 and np.allclose(drawn[ok], d_star[ok])
    assert np.allclose(p.figure.l_d.get_ydata(), p.trainer.d_prob(x))


def test_play_ticks_train_and_pause_stops():
    p = small_panel()
    p.tick()
    assert p.trainer.iteration == 0  # not playing: ticks do nothing
    p.play()
    assert p.ticker.playing
    p.ticker.value += 1  # what the browser's Play timer does
    after_one = p.trainer.iteration
    assert after_one > 0
    p.pause()
    assert not p.ticker.playing
    p.ticker.value += 1
    assert p.trainer.iteration == after_one


def test_step_buttons():
    p = small_panel()
    p.b_step_d.click()
    p.b_step_g.click()
    p.b_step.click()
    k_d = p.trainer.config.k_d  # Step D: one D update; Step: k_d of them (3 by default)
    assert (p.trainer.d_updates, p.trainer.g_updates, p.trainer.iteration) == (1 + k_d, 2, 1)
    p.b_reset.click()
    assert p.trainer.iteration == 0 and p.trainer.d_updates == 0


def test_speed_cap_slows_training():
    p = small_panel()
    p.w_speed.value = "20 it/s"
    p.play()
    done = p.advance(0.5)
    assert 1 <= done <= 10


def test_live_changes_keep_the_run_and_rebuilds_say_so():
    p = small_panel()
    p.run(20)
    p.w_lr_d.value = 1e-4
    p.w_k_d.value = 3
    p.w_mean.value = -2.0
    assert p.trainer.iteration == 20
    assert p.trainer.opt_d.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert p.trainer.config.k_d == 3 and p.trainer.config.target == Gaussian(-2.0, p.w_sd.value)
    assert 'mean=-2<' in p.readout.value
    p.w_opt.value = "sgd"
    assert p.trainer.iteration == 0 and "Reset" in p.message.value
    p.w_kind.value = "bimodal"
    assert len(p.trainer.config.target.means) == 2


def test_bad_input_shows_a_message_not_a_traceback():
    p = small_panel()
    p.w_seed.value = -5
    assert "seed must be an integer in 0..4294967295, got -5" in p.message.value
    assert p.trainer.config.seed == 0  # rolled back
    with pytest.raises(ValueError, match="batch_size"):
        p.set(batch_size=0)


@pytest.mark.parametrize("error, shown", [
    (RuntimeError("kaboom"), "RuntimeError: kaboom"),  # anything unexpected: shown with its traceback
    (ValueError("lr_d must be in (0, 10], got 0"), "Paused: lr_d must be in"),  # a refused value: pause once
])
def test_an_error_while_playing_pauses_and_is_shown(monkeypatch, error, shown):
    p = small_panel()
    p.play()

    def fails(n=1):
        raise error

    monkeypatch.setattr(p.trainer, "step", fails)
    p.ticker.value += 1
    assert shown in p.message.value and not p.playing
    if isinstance(error, RuntimeError):
        assert "traceback" in p.message.value


def test_divergence_pauses_with_advice():
    p = small_panel(optimizer="sgd", lr_d=5.0, lr_g=5.0, target=Gaussian(1e4, 1.0))
    p.play()
    for _ in range(20):
        p.ticker.value += 1
        if not p.playing:
            break
    assert not p.playing
    assert "non-finite" in p.message.value and "smaller learning rates" in p.message.value


def test_export_gif_and_csv(tmp_path):
    p = small_panel()
    p.view.export_dir = str(tmp_path)
    p.run(40)
    gif, csv = p.export()
    im = Image.open(gif)
    assert im.format == "GIF" and im.n_frames >= 2
    assert csv.read_text().startswith("step,")


def test_frames_buffer_is_bounded():
    p = Dashboard(ToyConfig(g=MLPConfig(width=8), d=MLPConfig(width=8), log_every=5),
                  DashboardConfig(redraw_hz=1e6, max_frames=6, chunk=1))
    p.run(40)
    assert len(p.frames.items) <= 7


@pytest.mark.parametrize("kw, match", [
    (dict(tick_ms=1), "tick_ms"), (dict(speed="warp"), "unknown speed"),
    (dict(chunk=0), "chunk must be an integer in 1..10000"),
    (dict(max_frames=2), "max_frames must be an integer in 4..10000"),
    (dict(redraw_hz=float("inf")), "redraw_hz must be a finite number"),
])
def test_bad_dashboard_config(kw, match):
    with pytest.raises(ValueError, match=match):
        DashboardConfig(**kw).validate()


def test_mode_coverage_readout():
    p = small_panel(target=GaussianMixture((-3.0, 3.0), (0.5, 0.5)))
    lin = p.trainer.G.net
    import torch
    with torch.no_grad():  # a generator that only ever outputs the left mode
        for m in lin:
            if hasattr(m, "weight"):
                m.weight.zero_()
                m.bias.zero_()
        lin[-1].bias.fill_(-3.0)
    p.redraw()
    assert 'class="ganlab-modes">1/2<' in p.readout.value
    assert p.coverage()["quality"] == 1.0


def test_readout_is_exact_after_every_tick():
    p = Dashboard(ToyConfig(g=MLPConfig(width=8), d=MLPConfig(width=8)), DashboardConfig(redraw_hz=0.01))
    p.play()
    for _ in range(3):
        p.ticker.value += 1
        assert f'class="ganlab-step-count">{p.trainer.iteration}<' in p.readout.value


def test_show_returns_none_so_it_displays_once():
    assert small_panel().show() is None


def test_a_refused_setting_changes_nothing():
    """Issue 14.2: set(lr_d=0) used to keep lr_d = 0 in the config, so every later change and Reset failed."""
    p = small_panel()
    lr_d, seed = p.trainer.config.lr_d, p.trainer.config.seed
    with pytest.raises(ValueError, match=r"lr_d must be in \(0, 10\], got 0"):
        p.set(lr_d=0)
    assert p.trainer.config.lr_d == lr_d and p.trainer.opt_d.param_groups[0]["lr"] == lr_d
    p.set(lr_d=1e-3)  # later changes still work
    assert p.trainer.opt_d.param_groups[0]["lr"] == 1e-3
    p.w_seed.value = 10**23  # a 23-digit seed typed into the box
    assert "seed must be an integer in 0..4294967295" in p.message.value
    assert p.trainer.config.seed == seed and p.w_seed.value == seed  # the box shows the seed in effect
    p.reset()  # Reset still builds a working run
    p.w_width.value = 16
    assert p.trainer.config.g.width == 16 and p.trainer.G.net[0].out_features == 16


@pytest.mark.parametrize("loss, eq", [("ns", LOG2), ("minimax", -LOG2)])
def test_loss_g_equilibrium_line_follows_the_loss(loss, eq):
    """Issue 17 (toy_figure): the loss_G equilibrium line was fixed at +log 2; minimax settles near -log 2."""
    p = small_panel(loss=loss)
    p.run(20)
    assert p.figure.loss_g_eq.get_visible() and list(p.figure.loss_g_eq.get_ydata()) == [eq, eq]
    p.set(loss="wgan-clip")
    p.redraw()
    assert not p.figure.loss_g_eq.get_visible()  # a critic's loss has no fixed equilibrium value
