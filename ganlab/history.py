"""A bounded training history: named columns of numbers that never grow past ``maxlen`` rows.

When full, it keeps every second row and from then on records half as often, so a plot of a long
run still spans the whole run at an even (coarser) resolution, in bounded memory.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np


class History:
    def __init__(self, maxlen: int = 2000):
        if maxlen < 4:
            raise ValueError(f"maxlen must be >= 4, got {maxlen!r}")
        self.maxlen = maxlen
        self.stride = 1  # record one in every `stride` offered rows
        self._offered = 0
        self.columns: dict[str, list[float]] = {}

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def append(self, **values: float) -> bool:
        """Offer a row; returns True if it was stored (rows are thinned once the buffer has filled)."""
        self._offered += 1
        if (self._offered - 1) % self.stride:
            return False
        if not self.columns:
            self.columns = {k: [] for k in values}
        if set(values) != set(self.columns):
            raise ValueError(f"row has columns {sorted(values)}, history has {sorted(self.columns)}")
        for k, v in values.items():
            self.columns[k].append(float(v))
        if len(self) > self.maxlen:
            for k in self.columns:
                self.columns[k] = self.columns[k][::2]
            self.stride *= 2
        return True

    def array(self, name: str) -> np.ndarray:
        return np.asarray(self.columns.get(name, []), dtype=float)

    def last(self) -> dict[str, float]:
        return {k: v[-1] for k, v in self.columns.items() if v}

    def to_dict(self) -> dict[str, list[float]]:
        return {k: [x if math.isfinite(x) else None for x in v] for k, v in self.columns.items()}

    def to_csv(self, path: str | Path) -> Path:
        path = Path(path)
        names = list(self.columns)
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(names)
            w.writerows(zip(*(self.columns[n] for n in names)))
        return path
