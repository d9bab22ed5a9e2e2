"""Raw DCGAN training throughput (images/s, seconds per MNIST epoch) over batch sizes and options.

Measures only speed, not quality (see dcgan_speed.py for time-to-FID). Each setting is warmed
up (cuDNN autotuning, torch.compile) before the timed steps.

    GANLAB_DEVICE=cuda python benchmarks/dcgan_throughput.py --batch 256 1024 4096 --compile both
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab.images import DCGANConfig, DCGANTrainer, load_mnist  # noqa: E402


def measure(images, batch, compile, amp, seconds, ngf):
    tr = DCGANTrainer(DCGANConfig(batch_size=batch, amp=amp, ngf=ngf, ndf=ngf, log_every=10_000), device=None,
                      data=images, compile=compile)
    sync = torch.cuda.synchronize if tr.device.type == "cuda" else (lambda: None)
    t = time.perf_counter()
    tr.train(steps=30, progress=False)  # warm-up: autotuning, compilation
    sync()
    warm = time.perf_counter() - t
    n = 0
    t = time.perf_counter()
    while time.perf_counter() - t < seconds:
        tr.train(steps=20, progress=False)
        n += 20
    sync()
    dt = time.perf_counter() - t
    ips = n * batch / dt
    return tr, ips, warm


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, nargs="+", default=[64, 256, 1024])
    p.add_argument("--compile", choices=["off", "on", "both"], default="off")
    p.add_argument("--amp", choices=["auto", "bf16", "off"], nargs="+", default=["auto"])
    p.add_argument("--ngf", type=int, default=32)
    p.add_argument("--seconds", type=float, default=5.0, help="timed seconds per setting")
    args = p.parse_args(argv)
    images, _ = load_mnist("train")
    comps = {"off": [False], "on": [True], "both": [False, True]}[args.compile]
    print(f"{'batch':>6} {'compile':>7} {'amp':>5} {'images/s':>10} {'s/epoch':>8} {'warm-up s':>9}  device")
    for b in args.batch:
        for c in comps:
            for amp in args.amp:
                tr, ips, warm = measure(images, b, c, amp, args.seconds, args.ngf)
                print(f"{b:>6} {str(c):>7} {('bf16' if tr.bf16 else 'fp32'):>5} {ips:>10.0f} "
                      f"{len(images) / ips:>8.2f} {warm:>9.1f}  {tr.device} threads={tr.threads or torch.get_num_threads()}",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
