import json
import subprocess
import sys

import pytest
from PIL import Image

from ganlab.theory import Gaussian, GaussianMixture
from ganlab.cli.toy import main, parse_target


def test_cli_writes_metrics_and_gif(tmp_path, capsys):
    m, g = tmp_path / "m.json", tmp_path / "run.gif"
    assert main(["--steps", "120", "--seed", "1", "--width", "16", "--metrics", str(m), "--gif", str(g)]) == 0
    out = json.loads(m.read_text())
    assert out["steps"] == 120 and 0 <= out["jsd"] <= 0.7 and out["steps_per_s"] > 0
    assert out["v_opt"] == pytest.approx(2 * out["jsd"] - 1.3862943611198906)
    assert len(out["history"]["jsd"]) == len(out["history"]["step"]) > 2
    assert Image.open(g).n_frames >= 10
    assert "iterations" in capsys.readouterr().out


def test_cli_same_seed_same_numbers(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for p in (a, b):
        main(["--steps", "60", "--seed", "5", "--width", "8", "--metrics", str(p)])
    ja, jb = json.loads(a.read_text()), json.loads(b.read_text())
    assert ja["history"]["loss_d"] == jb["history"]["loss_d"] and ja["jsd"] == jb["jsd"]


def test_parse_target():
    assert parse_target("gaussian:1,0.5") == Gaussian(1, 0.5)
    assert parse_target("mixture:-2,2:0.5,0.5") == GaussianMixture((-2, 2), (0.5, 0.5))
    with pytest.raises(Exception, match="sd must be > 0"):
        parse_target("gaussian:1,-0.5")


def test_cli_bad_input_is_a_clear_error(capsys):
    assert main(["--steps", "10", "--lr-d", "-1"]) == 2
    assert "lr_d must be in (0, 10]" in capsys.readouterr().err


def test_module_entry_point():
    r = subprocess.run([sys.executable, "-m", "ganlab", "toy", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--metrics" in r.stdout
    r = subprocess.run([sys.executable, "-m", "ganlab", "doctor"], capture_output=True, text=True)
    assert r.returncode == 0 and "device" in r.stdout and "widgets" in r.stdout
