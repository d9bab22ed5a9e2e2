"""The Dirac GAN (Mescheder, Geiger & Nowozin 2018): the smallest GAN that shows why training circles.

The data is a point mass at 0, the generator a point mass at θ (one parameter), the discriminator
D(x) = σ(ψ·x) (one parameter, logit ψ·x). The course's value V = E log D(x) + E log(1 − D(G(z))) is then
V(θ, ψ) = log σ(0) + log(1 − σ(ψθ)) = −log 2 − log(1 + e^{ψθ}), and D ascends while G descends:
    dψ/dt = +∂V/∂ψ = −θ·σ(ψθ),      dθ/dt = −∂V/∂θ = +ψ·σ(ψθ).
In continuous time θ² + ψ² is conserved (the field is a rotation scaled by σ): the players circle the
equilibrium (0, 0) for ever. Simultaneous gradient steps of size h multiply θ² + ψ² by exactly 1 + h²·σ(ψθ)²
each step: they spiral out. Alternating steps (D first, then G against the new D) stay on a bounded orbit.
The R1 penalty (γ/2)·|∇_x ℓ|² at the data is (γ/2)·ψ² here; it adds −γψ to dψ/dt and the spiral converges.
"""

from __future__ import annotations

import numpy as np

DIRAC_MODES = ("simultaneous", "alternating", "continuous")


def dirac_field(theta: float, psi: float, r1: float = 0.0) -> tuple[float, float]:
    """(dθ/dt, dψ/dt): G descends V, D ascends V − (r1/2)·ψ² (the minimax game with an R1 penalty)."""
    s = 1.0 / (1.0 + np.exp(-psi * theta))  # σ(ψθ) = D(G(z)), the discriminator's output on the fake
    return s * psi, -s * theta - r1 * psi


def dirac_trajectory(theta0: float = 1.0, psi0: float = 1.0, steps: int = 200, lr: float = 0.1,
                     mode: str = "simultaneous", r1: float = 0.0) -> np.ndarray:
    """(steps + 1, 2) array of (θ, ψ) from (θ0, ψ0): ``steps`` gradient steps of size ``lr`` taken together
    ("simultaneous"), D then G ("alternating"), or the continuous-time flow sampled every ``lr`` time units
    (classical Runge-Kutta with 20 sub-steps per sample, "continuous")."""
    if mode not in DIRAC_MODES:
        raise ValueError(f"mode must be one of {DIRAC_MODES}, got {mode!r}")
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    if not (lr > 0 and np.isfinite(lr)):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if not (r1 >= 0 and np.isfinite(r1)):
        raise ValueError(f"r1 must be >= 0, got {r1!r}")
    out = np.empty((steps + 1, 2))
    th, ps = out[0] = float(theta0), float(psi0)
    for k in range(steps):
        if mode == "simultaneous":
            dth, dps = dirac_field(th, ps, r1)
            th, ps = th + lr * dth, ps + lr * dps
        elif mode == "alternating":
            ps = ps + lr * dirac_field(th, ps, r1)[1]        # D first ...
            th = th + lr * dirac_field(th, ps, r1)[0]        # ... then G against the new D
        else:
            h = lr / 20
            for _ in range(20):
                k1 = np.array(dirac_field(th, ps, r1))
                k2 = np.array(dirac_field(th + h / 2 * k1[0], ps + h / 2 * k1[1], r1))
                k3 = np.array(dirac_field(th + h / 2 * k2[0], ps + h / 2 * k2[1], r1))
                k4 = np.array(dirac_field(th + h * k3[0], ps + h * k3[1], r1))
                th, ps = np.array([th, ps]) + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[k + 1] = th, ps
    return out
