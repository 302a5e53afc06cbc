"""The loss curve, kept in bounded memory however long the kiosk trains.

Every loss updates a smoothed value (an exponential moving average); only every `stride`-th loss
is stored. When the buffer fills, every other stored point is dropped and the stride doubles, so
the curve always spans the whole run with at most `capacity` points. Each point keeps its real
step number, so the chart's x axis stays true.
"""
from __future__ import annotations

import math

import numpy as np

CAPACITY = 4000
SMOOTHING = 0.98          # EMA weight of the past: about the last 50 steps


class LossHistory:
    def __init__(self, capacity: int = CAPACITY):
        if capacity < 2 or capacity % 2:
            raise ValueError("The loss history needs an even capacity of at least 2.")
        self.capacity = capacity
        self._steps = np.zeros(capacity, np.int64)       # (capacity,)
        self._raw = np.zeros(capacity, np.float32)       # (capacity,)
        self._smooth = np.zeros(capacity, np.float32)    # (capacity,)
        self._n = 0             # points stored
        self._seen = 0          # losses recorded, stored or not
        self.stride = 1
        self.smoothed = math.nan
        self.last = math.nan

    def record(self, step: int, loss: float) -> None:
        self.last = loss
        self.smoothed = loss if self._seen == 0 else SMOOTHING * self.smoothed + (1 - SMOOTHING) * loss
        if self._seen % self.stride == 0:
            if self._n == self.capacity:
                self._halve()
            self._steps[self._n] = step
            self._raw[self._n] = loss
            self._smooth[self._n] = self.smoothed
            self._n += 1
        self._seen += 1

    def _halve(self) -> None:
        for buf in (self._steps, self._raw, self._smooth):
            kept = buf[0:self._n:2].copy()
            buf[:kept.size] = kept
        self._n = self._n // 2
        self.stride *= 2

    def __len__(self) -> int:
        return self._n

    @property
    def steps(self) -> np.ndarray:
        """(n,) int64 step numbers of the stored points (read-only view)."""
        return _read_only(self._steps[:self._n])

    @property
    def values(self) -> np.ndarray:
        """(n,) float32 raw losses (read-only view)."""
        return _read_only(self._raw[:self._n])

    @property
    def smooth(self) -> np.ndarray:
        """(n,) float32 smoothed losses (read-only view)."""
        return _read_only(self._smooth[:self._n])

    def state_dict(self) -> dict:
        return {"steps": self.steps.copy(), "raw": self.values.copy(), "smooth": self.smooth.copy(),
                "seen": self._seen, "stride": self.stride, "smoothed": self.smoothed, "last": self.last}

    def load_state_dict(self, state: dict) -> None:
        steps, raw, smooth = state["steps"], state["raw"], state["smooth"]
        n = len(steps)
        stride, seen = int(state["stride"]), int(state["seen"])
        if not (n <= self.capacity and len(raw) == n and len(smooth) == n and stride >= 1 and seen >= n):
            raise ValueError("The saved loss history is inconsistent.")
        self._steps[:n], self._raw[:n], self._smooth[:n] = steps, raw, smooth
        self._n, self._seen, self.stride = n, seen, stride
        self.smoothed, self.last = float(state["smoothed"]), float(state["last"])


def _read_only(view: np.ndarray) -> np.ndarray:
    view.flags.writeable = False
    return view
