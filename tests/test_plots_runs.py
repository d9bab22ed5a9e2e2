"""Comparing runs: variants are independent copies, histories are the trainer's own, plots draw them."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ganlab.viz import plot_runs, tail_median, train_variants, variant
from ganlab.theory import LOG4
from ganlab.toy import MLPConfig, ToyConfig, ToyTrainer


def small(**kw):
    return ToyConfig(g=MLPConfig(width=8), d=MLPConfig(width=8), batch_size=32, log_every=5, **kw)


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
