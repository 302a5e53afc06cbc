"""A one-line progress bar for the terminal, redrawn in place with '\\r'."""
from __future__ import annotations

import sys
import time

# Redrawing more often than this only costs time; the eye cannot follow it anyway.
_MIN_INTERVAL_S = 0.1


class ProgressBar:
    def __init__(self, total: int, stream=None, width: int = 30, clock=time.monotonic):
        self.total = max(1, total)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._clock = clock
        self._started = clock()
        self._last_draw = -1e9
        self._drawn_width = 0   # pad a shorter line so no old characters remain

    def update(self, done: int, detail: str = "") -> None:
        now = self._clock()
        if done < self.total and now - self._last_draw < _MIN_INTERVAL_S:
            return
        self._last_draw = now
        filled = self.width * done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = now - self._started
        eta = elapsed / done * (self.total - done) if done else 0.0
        line = f"\r[{bar}] {100 * done // self.total:3d}%  {done}/{self.total}  {detail}  eta {_clock_text(eta)}"
        self.stream.write(line.ljust(self._drawn_width))
        self._drawn_width = len(line)
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _clock_text(seconds: float) -> str:
    minutes, s = divmod(int(seconds + 0.5), 60)
    return f"{minutes}:{s:02d}"
