"""2-D targets for the GAN lab: built-in shapes, points drawn by hand, any (N, 2) array or CSV file.

Every target is one kind of object, :class:`Target2D`: a cloud of K kernel centres with one kernel width
``sd``, i.e. the mixture ``sum_k w_k N(c_k, sd² I)``. A ring of 8 is eight kernels; a line, two moons or three
uniform regions are many kernels spaced closer than ``sd`` (a smooth density of that shape, blurred by ``sd``);
drawn points and arrays are one kernel per point (a kernel density estimate). So sampling, exact bin masses and
mode coverage are written once, for all of them.

**Parts (what "modes covered" counts).** Each kernel belongs to a *part*: a mode of a mixture, a stretch of a
line or moon, one region, one connected blob of drawn or loaded points (kernels closer than 3 sd are linked).
:meth:`Target2D.coverage` assigns every sample to its nearest kernel; a sample is *high quality* if it lies
within ``radius`` (3) sd of it, and a part is *covered* if it holds at least ``min_share`` (a quarter) of the
high-quality samples it should hold. For a mixture (one kernel per part) this is exactly
:func:`ganlab.toy.coverage`.

    t = target2d("two moons")               # one of TARGETS_2D
    t = from_points([(0, 0), (1, 1)])       # points drawn on the canvas (kept where they are)
    t = from_csv("data.csv")                # a header row is allowed; a bad row is an error naming its line
    t = from_array(x)                       # (N, 2); centred and scaled into the lab's box (fit=True)
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import torch
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ganlab.theory import GaussianMixture
from ganlab.toy.targets import grid, ring

MAX_POINTS = 2000  # kernels kept from an array or file (a fixed random subset beyond that)
FIT_RADIUS = 2.0  # fit=True scales a loaded cloud so that its farthest point is this far from its centre


class Target2D:
    """``sum_k w_k N(points[k], sd² I)`` with a part label per kernel (see the module docstring)."""

    def __init__(self, points, sd: float, weights=None, parts=None, name: str = "", note: str = "",
                 view: float | None = None):
        p = np.asarray(points, dtype=float)
        if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
            raise ValueError(f"points must be an (N, 2) array with N >= 1, got shape {p.shape}")
        if not np.isfinite(p).all():
            raise ValueError("points must be finite numbers (found NaN or inf)")
        if not (isinstance(sd, (int, float)) and math.isfinite(sd) and sd > 0):
            raise ValueError(f"sd must be a finite number > 0, got {sd!r}")
        w = np.full(len(p), 1.0 / len(p)) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (len(p),) or np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError(f"weights must be {len(p)} finite numbers >= 0 with a positive sum")
        self.points, self.sd, self.weights = p, float(sd), w / w.sum()
        self.parts = link_parts(p, 3 * self.sd) if parts is None else np.asarray(parts, dtype=int)
        if self.parts.shape != (len(p),):
            raise ValueError(f"parts must give one label per point ({len(p)}), got shape {self.parts.shape}")
        _, self.parts = np.unique(self.parts, return_inverse=True)  # labels 0..n_parts-1
        self.name, self.note = name, note
        if view is not None and not (isinstance(view, (int, float)) and math.isfinite(view) and view > 0):
            raise ValueError(f"view must be a finite number > 0, got {view!r}")
        self.view = view
        self._tree = cKDTree(p)
        self._masses: dict = {}
        self._torch = (torch.tensor(np.cumsum(self.weights)[:-1], dtype=torch.float32),
                       torch.tensor(p, dtype=torch.float32))

    dim = 2

    @property
    def n_parts(self) -> int:
        return int(self.parts.max()) + 1

    def describe(self) -> str:
        return self.name or f"{len(self.points)} points"

    def __repr__(self) -> str:
        return f"Target2D({self.describe()!r}, {len(self.points)} kernels, sd={self.sd:g}, {self.n_parts} parts)"

    def box(self, pad: float = 0.5) -> float:
        """Half-width of the square around the origin that shows every kernel with 3 sd and ``pad`` to spare
        (at least 3, so that the noise's home near 0 stays in view); ``view``, if the target was given one."""
        if self.view is not None:
            return float(self.view)
        return max(3.0, float(np.abs(self.points).max() + 3 * self.sd + pad))

    # ----- sampling -------------------------------------------------------------------------------------
    def sample(self, n: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """(n, 2) samples: a kernel by weight, then Gaussian noise of sd ``sd``."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        k = rng.choice(len(self.points), size=int(n), p=self.weights)
        return self.points[k] + self.sd * rng.standard_normal((int(n), 2))

    def sample_torch(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """(n, 2) float32 samples drawn with a torch generator (reproducible training)."""
        cum, pts = self._torch
        k = torch.searchsorted(cum, torch.rand(n, generator=generator), right=True)
        return pts[k] + self.sd * torch.randn(n, 2, generator=generator)

    # ----- exact quantities -----------------------------------------------------------------------------
    def pdf(self, x) -> np.ndarray:
        """Density at points x (..., 2)."""
        x = np.asarray(x, dtype=float)
        d2 = ((x.reshape(-1, 1, 2) - self.points[None]) ** 2).sum(-1)
        p = np.exp(-0.5 * d2 / self.sd**2) @ self.weights / (2 * np.pi * self.sd**2)
        return p.reshape(x.shape[:-1])

    def bin_masses(self, edges) -> np.ndarray:
        """Exact probability of each cell of the square grid ``edges`` x ``edges``: (bins, bins), cached."""
        e = np.asarray(edges, dtype=float)
        key = (e[0], e[-1], len(e))
        if key not in self._masses:
            cx = np.diff(stats.norm.cdf(e[None, :], self.points[:, :1], self.sd), axis=1)  # (K, bins)
            cy = np.diff(stats.norm.cdf(e[None, :], self.points[:, 1:], self.sd), axis=1)
            self._masses[key] = (cx * self.weights[:, None]).T @ cy  # [i, j]: x-bin i, y-bin j
        return self._masses[key]

    def coverage(self, samples, radius: float = 3.0, min_share: float = 0.25) -> dict:
        """Parts covered and sample quality of ``samples`` (n, 2): the keys of :func:`ganlab.toy.coverage` except its
        per-mode ``spread``."""
        x = np.asarray(samples, dtype=float).reshape(-1, 2)
        if len(x) == 0:
            raise ValueError("need at least one sample")
        finite = np.isfinite(x).all(1)
        dist = np.full(len(x), np.inf)
        nearest = np.zeros(len(x), dtype=int)
        if finite.any():
            dist[finite], nearest[finite] = self._tree.query(x[finite])
        good = dist / self.sd <= radius
        part = self.parts[nearest]
        counts = np.bincount(part[good], minlength=self.n_parts)
        expected = np.bincount(self.parts, weights=self.weights, minlength=self.n_parts) * len(x)
        covered = int(np.sum(counts >= min_share * expected))
        return {"covered": covered, "n_modes": self.n_parts, "coverage": covered / self.n_parts,
                "quality": float(good.mean()), "counts": counts, "expected": expected}


def link_parts(points: np.ndarray, link: float) -> np.ndarray:
    """Connected components of the points, two points linked when closer than ``link``: a label per point."""
    pairs = cKDTree(points).query_pairs(link, output_type="ndarray")
    n = len(points)
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n)) if len(pairs) else \
        sparse.coo_matrix((n, n))
    return connected_components(graph, directed=False)[1]


# ----- built-in shapes ---------------------------------------------------------------------------------------
def _pieces(lengths: list[int], per_piece: int) -> np.ndarray:
    """Part labels: each piece (a run of ``length`` kernels) cut into ``per_piece`` consecutive stretches."""
    out, base = [], 0
    for n in lengths:
        out.append(base + np.minimum(np.arange(n) * per_piece // n, per_piece - 1))
        base += per_piece
    return np.concatenate(out)


def from_mixture(gm: GaussianMixture, name: str = "") -> Target2D:
    """A 2-D isotropic mixture with one sd for every component (``ring(8)``, ``grid(5)``): one kernel per mode."""
    w, mu, sd = gm.arrays()
    if mu.shape[1] != 2 or not np.allclose(sd, sd[0]):
        raise ValueError("from_mixture needs a 2-D mixture whose components share one sd")
    return Target2D(mu, float(sd[0]), w, parts=np.arange(len(w)), name=name or gm.describe())


def line(sd: float = 0.06, n: int = 81) -> Target2D:
    """A straight segment from (-2, -1.2) to (2, 1.2), uniform along its length; 4 stretches as parts."""
    t = np.linspace(0, 1, n)[:, None]
    pts = np.array([-2.0, -1.2]) + t * np.array([4.0, 2.4])
    return Target2D(pts, sd, parts=_pieces([n], 4), name="line")


def three_regions(sd: float = 0.06, spacing: float = 0.06) -> Target2D:
    """Three disjoint uniform regions: a square, a disc and a bar (GAN Lab's 'disjoint' data); 3 parts."""
    g = np.arange(-3, 3 + 1e-9, spacing)
    gx, gy = np.meshgrid(g, g)
    xy = np.c_[gx.ravel(), gy.ravel()]
    regions = [xy[(np.abs(xy[:, 0] + 1.6) <= 0.6) & (np.abs(xy[:, 1] - 1.2) <= 0.6)],  # square
               xy[np.hypot(xy[:, 0] - 1.5, xy[:, 1] - 1.2) <= 0.7],  # disc
               xy[(np.abs(xy[:, 0]) <= 1.8) & (np.abs(xy[:, 1] + 1.6) <= 0.25)]]  # bar
    parts = np.concatenate([np.full(len(r), i) for i, r in enumerate(regions)])
    return Target2D(np.concatenate(regions), sd, parts=parts, name="three disjoint regions")


def two_moons(sd: float = 0.08, n: int = 60) -> Target2D:
    """scikit-learn's two interleaving half circles, centred and scaled by 1.6; each moon cut into 3 parts."""
    t = np.linspace(0, np.pi, n)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    pts = (np.concatenate([upper, lower]) - np.array([0.5, 0.25])) * 1.6
    return Target2D(pts, sd, parts=_pieces([n, n], 3), name="two moons")


TARGETS_2D = ("line", "two Gaussians", "ring of 8", "grid of 25", "three disjoint regions", "two moons")


def target2d(name: str) -> Target2D:
    """A built-in target by name (one of ``TARGETS_2D``)."""
    makers = {"line": line, "three disjoint regions": three_regions, "two moons": two_moons,
              "two Gaussians": lambda: from_mixture(GaussianMixture(((-1.5, -1.0), (1.5, 1.0)), (0.4, 0.4)),
                                                "two Gaussians"),
              "ring of 8": lambda: from_mixture(ring(8)), "grid of 25": lambda: from_mixture(grid(5))}
    if name not in makers:
        raise ValueError(f"unknown target {name!r}: expected one of {TARGETS_2D}")
    return makers[name]()


# ----- points from the user ----------------------------------------------------------------------------------
def from_points(points, sd: float = 0.1, name: str = "drawn points", view: float | None = None) -> Target2D:
    """Points drawn on the canvas (data coordinates, kept where they are): one kernel of width ``sd`` each.
    ``view``: the half-width of the square they were drawn in (kept, so the plot does not jump while drawing)."""
    p = np.asarray(points, dtype=float)
    if p.size == 0:
        raise ValueError("no points yet: click or drag on the plot to draw some")
    p = p.reshape(-1, 2) if p.ndim == 1 and p.size == 2 else p
    return Target2D(p, sd, name=f"{name} ({len(p)})", view=view)


def from_array(x, sd: float | None = None, fit: bool = True, name: str = "array") -> Target2D:
    """Any (N, 2) array: one kernel per point (a fixed random ``MAX_POINTS`` of them beyond that).

    ``fit=True`` centres the cloud and scales it so its farthest point is ``FIT_RADIUS`` from the centre (the
    scale the lab's networks and learning rates suit; the note says by how much). ``sd`` defaults to twice the
    median distance to a point's nearest neighbour, at least 2 % of the cloud's radius."""
    a = np.asarray(x, dtype=float)
    if a.ndim != 2 or a.shape[1] != 2 or len(a) == 0:
        raise ValueError(f"expected an (N, 2) array of points with N >= 1, got shape {a.shape}")
    bad = ~np.isfinite(a).all(1)
    if bad.any():
        raise ValueError(f"row {int(np.argmax(bad))} is not finite: {a[bad][0].tolist()}")
    note, n = "", len(a)
    if n > MAX_POINTS:
        a = a[np.sort(np.random.default_rng(0).choice(n, MAX_POINTS, replace=False))]
        note = f"{MAX_POINTS} of {n} points (a fixed random subset)"
    if fit:
        centre = a.mean(0)
        radius = float(np.hypot(*(a - centre).T).max())
        scale = FIT_RADIUS / radius if radius > 0 else 1.0
        a = (a - centre) * scale
        note = ", ".join(s for s in (note, f"centred and scaled ×{scale:.3g}") if s)
    if sd is None:
        r = float(np.abs(a).max()) or 1.0
        nn = cKDTree(a).query(a, k=2)[0][:, 1] if len(a) > 1 else np.array([0.0])
        sd = max(2 * float(np.median(nn)), 0.02 * r)
    return Target2D(a, float(sd), name=f"{name} ({n} points)", note=note)


def read_points_csv(path: str | Path) -> np.ndarray:
    """Rows of two numbers ``x,y`` (an optional header row first; blank lines skipped) → (N, 2).

    Raises ValueError naming the file, the line and what is wrong with it; FileNotFoundError if missing."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no CSV file at {path}")
    rows = []
    with path.open(newline="") as f:
        for line_no, row in enumerate(csv.reader(f), start=1):
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            try:
                vals = [float(c) for c in cells]
            except ValueError:
                if not rows and line_no == 1:  # a header row
                    continue
                raise ValueError(f"{path.name} line {line_no}: expected two numbers x,y, got {','.join(row)!r}") from None
            if len(vals) != 2:
                raise ValueError(f"{path.name} line {line_no}: expected two numbers x,y, got {len(vals)} values")
            if not all(math.isfinite(v) for v in vals):
                raise ValueError(f"{path.name} line {line_no}: values must be finite, got {','.join(row)!r}")
            rows.append(vals)
    if not rows:
        raise ValueError(f"{path.name} holds no points (expected rows of two numbers x,y)")
    return np.asarray(rows)


def from_csv(path: str | Path, sd: float | None = None, fit: bool = True) -> Target2D:
    """A CSV file of points (see :func:`read_points_csv`), as :func:`from_array` makes a target of an array."""
    return from_array(read_points_csv(path), sd=sd, fit=fit, name=Path(path).name)
