"""Comparing runs: variants are independent copies, histories are the trainer's own, plots draw them."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ganlab.viz import plot_runs, tail_median, train_variants, variant
from ganlab.theory import LOG4
from ganlab.toy import MLPConfig, ToyConfig, ToyTrainer


def small(**kw):
    return ToyConfig(**{"g": MLPConfig(width=8), "d": MLPConfig(width=8), "k_d": 1, "batch_size": 32, "log_every": 5, **kw})


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_variant_copies_and_validates():
    base = small()
    v = variant(base, k_d=3, d=MLPConfig(width=4))
    assert (v.k_d, v.d.width) == (3, 4) and (base.k_d, base.d.width) == (1, 8)
    v.g.width = 99
    assert base.g.width == 8  # deep copy: nested configs are not shared
    with pytest.raises(ValueError, match="no field"):
        variant(base, kd=3)
    with pytest.raises(ValueError, match="k_d"):
        variant(base, k_d=0)


def test_train_variants_match_the_trainer_and_cache():
    base = small(seed=3)
    cache = {}
    runs = train_variants(base, {"base": {}, "k_D = 2": {"k_d": 2}}, steps=20, cache=cache)
    ref = ToyTrainer(variant(base, k_d=2))
    ref.step(20)
    for key in ("step", "jsd", "loss_d", "loss_g"):
        assert np.array_equal(runs["k_D = 2"].array(key), ref.history.array(key), equal_nan=True)
    again = train_variants(base, {"same as base": {}}, steps=20, cache=cache)
    assert again["same as base"] is runs["base"] and len(cache) == 2
    with pytest.raises(ValueError, match="steps"):
        train_variants(base, {"x": {}}, steps=0)


def test_tail_median():
    base = small()
    h = train_variants(base, {"a": {}}, steps=20)["a"]
    v = h.array("loss_d")
    assert tail_median(h, "loss_d", frac=1.0) == pytest.approx(np.nanmedian(v))
    assert tail_median(h, "loss_d", frac=1e-9) == pytest.approx(v[-1])
    with pytest.raises(ValueError):
        tail_median(h, "nope")
    with pytest.raises(ValueError):
        tail_median(h, "jsd", frac=0)


def test_plot_runs_draws_each_history(ax):
    runs = train_variants(small(), {"lr_D = 2e-3": {}, "lr_D = 5e-4": {"lr_d": 5e-4}}, steps=20)
    lines = plot_runs(runs, "jsd", ax=ax)
    assert [l.get_label() for l in lines] == list(runs)
    for line, h in zip(lines, runs.values()):
        assert np.array_equal(line.get_xdata(), h.array("step"))
        assert np.array_equal(line.get_ydata(), h.array("jsd"))
    assert ax.get_yscale() == "log"
    fig2, ax2 = plt.subplots()
    plot_runs(runs, "loss_d", ax=ax2)
    assert ax2.get_yscale() == "linear"
    assert any(np.allclose(l.get_ydata(), LOG4) for l in ax2.lines if l not in ax2.lines[:2])
    plt.close(fig2)
    with pytest.raises(ValueError):
        plot_runs({}, ax=ax)
    with pytest.raises(ValueError, match="no column"):
        plot_runs(runs, "nope", ax=ax)


# ----- several seeds per variant -------------------------------------------------------------------
from ganlab.toy import BatchedGAN  # noqa: E402
from ganlab.viz import at_step, engine_for, plot_seed_runs, seed_histories, train_seeds  # noqa: E402


def test_train_seeds_batched_matches_batched_gan_and_caches():
    base = small()
    cache, engines = {}, {}
    runs = train_seeds(base, {"base": {}, "k_D = 2": {"k_d": 2}}, steps=20, seeds=[0, 3], cache=cache,
                       engines=engines)
    assert engine_for(variant(base, k_d=2)) == "batched"
    ref = BatchedGAN(variant(base, k_d=2), seed=[0, 3]).step(20)
    for key in ("step", "jsd", "loss_d"):
        assert runs["k_D = 2"].array(key).shape == (5, 2)
        assert np.array_equal(runs["k_D = 2"].array(key), ref.history.array(key), equal_nan=True)
    assert isinstance(engines["base"], BatchedGAN) and engines["base"].seconds > 0
    eng2 = {}
    again = train_seeds(base, {"same": {}}, steps=20, seeds=[0, 3], cache=cache, engines=eng2)
    assert again["same"] is runs["base"] and eng2["same"] is engines["base"]
    other = train_seeds(base, {"x": {}}, steps=20, seeds=[0], cache=cache)  # other seeds: a new entry
    assert other["x"].array("jsd").shape == (5, 1)
    with pytest.raises(ValueError, match="steps"):
        train_seeds(base, {"x": {}}, steps=0)
    with pytest.raises(ValueError, match="seed"):
        train_seeds(base, {"x": {}}, steps=5, seeds=[])


def test_train_seeds_falls_back_to_one_toy_trainer_per_seed():
    base = small(noise="uniform")  # only ToyTrainer implements uniform noise
    assert engine_for(base) == "toy"
    engines = {}
    runs = train_seeds(base, {"u": {}}, steps=20, seeds=[1, 2], engines=engines)
    assert [t.config.seed for t in engines["u"]] == [1, 2]
    for i, s in enumerate([1, 2]):
        ref = ToyTrainer(variant(base, seed=s))
        ref.step(20)
        for key in ("step", "jsd", "v"):
            assert np.array_equal(runs["u"].array(key)[:, i], ref.history.array(key), equal_nan=True)
    split = seed_histories(runs["u"], [1, 2])
    assert list(split) == ["seed 1", "seed 2"]
    assert np.array_equal(split["seed 2"].array("jsd"), runs["u"].array("jsd")[:, 1])
    with pytest.raises(ValueError, match="seeds"):
        seed_histories(runs["u"], [1, 2, 3])


def test_tail_median_and_at_step_per_seed():
    h = train_seeds(small(), {"a": {}}, steps=40, seeds=[0, 1])["a"]
    v = h.array("jsd")
    assert np.allclose(tail_median(h, "jsd", frac=1.0), np.nanmedian(v, axis=0))
    assert np.array_equal(at_step(h, "jsd", 20), v[4])       # log_every 5: the record made at 20
    assert np.array_equal(at_step(h, "jsd", 23), v[4])       # the last record at or before 23
    single = train_variants(small(), {"b": {}}, steps=20)["b"]
    assert at_step(single, "jsd", 10) == single.array("jsd")[2]
    with pytest.raises(ValueError, match="no record"):
        at_step(h, "jsd", -1)
    with pytest.raises(ValueError, match="no column"):
        at_step(h, "nope", 10)


def test_plot_seed_runs_draws_median_and_range(ax):
    runs = train_seeds(small(), {"a": {}, "b": {"lr_d": 5e-4}}, steps=20, seeds=[0, 1, 2])
    drawn = plot_seed_runs(runs, "jsd", ax=ax)
    assert [line.get_label() for line, _ in drawn] == ["a", "b"]
    for (line, band), h in zip(drawn, runs.values()):
        v = h.array("jsd")
        assert np.array_equal(line.get_xdata(), h.array("step")[:, 0])
        assert np.allclose(line.get_ydata(), np.median(v, axis=1))
        ys = band.get_paths()[0].vertices[:, 1]
        assert np.isclose(ys.min(), v.min()) and np.isclose(ys.max(), v.max())
        assert band.get_facecolor()[0][:3] == pytest.approx(plt.matplotlib.colors.to_rgb(line.get_color()))
    assert ax.get_yscale() == "log"
    legend = ax.get_legend()
    assert legend is not None and legend.get_bbox_to_anchor().y0 < ax.get_window_extent().y0  # under the axes
    with pytest.raises(ValueError, match="plot_runs"):
        plot_seed_runs(train_variants(small(), {"one": {}}, steps=10), ax=ax)
    with pytest.raises(ValueError, match="no column"):
        plot_seed_runs(runs, "nope", ax=ax)
