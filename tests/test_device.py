import random

import numpy as np
import pytest
import torch

from ganlab.core import get_device, seed_everything


def test_auto_is_cpu_without_accelerator(monkeypatch):
    monkeypatch.delenv("GANLAB_DEVICE", raising=False)
    dev = get_device()
    if not torch.cuda.is_available():
        assert dev.type in {"cpu", "mps", "xpu"}


def test_env_override(monkeypatch):
    monkeypatch.setenv("GANLAB_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    assert get_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize("bad", ["gpu", "tpu0", "cuda-1"])
def test_unknown_device_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="unknown device"):
        get_device(bad)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_missing_cuda_is_a_clear_error():
    with pytest.raises(ValueError, match="no CUDA GPU"):
        get_device("cuda")


def test_seed_everything_makes_all_three_repeat():
    seed_everything(7)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(7)
    b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_seed(bad):
    with pytest.raises(ValueError, match="seed"):
        seed_everything(bad)
