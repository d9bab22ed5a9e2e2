"""Bounded records of a run: they never grow past ``maxlen`` entries and still span the whole run.

:class:`Thinning` is the one rule: when a buffer overflows it keeps every second entry and from
then on accepts half as many offers. :class:`History` (named columns of numbers, or of per-model
arrays) and :class:`BoundedList` (e.g. a dashboard's GIF frames) both follow it.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np


class Thinning:
    """Which offered entries to keep: one in every ``stride``; the stride doubles on overflow."""

    def __init__(self, maxlen: int):
        if not isinstance(maxlen, int) or maxlen < 4:
            raise ValueError(f"maxlen must be an integer >= 4, got {maxlen!r}")
        self.maxlen = maxlen
        self.stride = 1
        self.offered = 0

    def accept(self) -> bool:
        """Count one offer; True if it should be stored."""
        self.offered += 1
        return (self.offered - 1) % self.stride == 0

    def overflowed(self, length: int) -> bool:
        """True (and the stride doubles) when a buffer of ``length`` must drop every second entry."""
        if length > self.maxlen:
            self.stride *= 2
            return True
        return False


class BoundedList:
    """A list of at most ``maxlen`` items offered one by one, thinned by :class:`Thinning`."""

    def __init__(self, maxlen: int):
        self.thinning = Thinning(maxlen)
        self.items: list = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item) -> bool:
        if not self.thinning.accept():
            return False
        self.items.append(item)
        if self.thinning.overflowed(len(self.items)):
            self.items = self.items[::2]
        return True


class History:
    """Named columns, one row per record. A value is a number, or an array (e.g. one per model of a
    batched trainer): ``array(name)`` is then ``(rows,)`` or ``(rows, M)``."""

    def __init__(self, maxlen: int = 2000):
        self.thinning = Thinning(maxlen)
        self.maxlen = maxlen
        self.columns: dict[str, list] = {}

    @property
    def stride(self) -> int:
        """Record one in every ``stride`` offered rows (1 until the buffer first fills)."""
        return self.thinning.stride

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def append(self, **values) -> bool:
        """Offer a row; returns True if it was stored (rows are thinned once the buffer has filled)."""
        if not self.thinning.accept():
            return False
        if not self.columns:
            self.columns = {k: [] for k in values}
        if set(values) != set(self.columns):
            raise ValueError(f"row has columns {sorted(values)}, history has {sorted(self.columns)}")
        for k, v in values.items():
            self.columns[k].append(float(v) if np.ndim(v) == 0 else np.array(v, dtype=float))
        if self.thinning.overflowed(len(self)):
            for k in self.columns:
                self.columns[k] = self.columns[k][::2]
        return True

    def array(self, name: str) -> np.ndarray:
        return np.asarray(self.columns.get(name, []), dtype=float)

    def last(self) -> dict:
        return {k: v[-1] for k, v in self.columns.items() if len(v)}

    def to_dict(self) -> dict[str, list]:
        """Plain lists (JSON-ready): non-finite numbers become None."""
        def clean(x):
            if isinstance(x, np.ndarray):
                return [clean(float(y)) for y in x]
            return x if math.isfinite(x) else None
        return {k: [clean(x) for x in v] for k, v in self.columns.items()}

    def to_csv(self, path: str | Path) -> Path:
        path = Path(path)
        names = list(self.columns)
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(names)
            w.writerows(zip(*(self.columns[n] for n in names)))
        return path
