"""How long nobody has touched the kiosk. Times are passed in, so tests need no clock."""
from __future__ import annotations


class IdleTimer:
    def __init__(self, timeout: float, now: float = 0.0):
        self.timeout = timeout
        self._last_touch = now

    def touched(self, now: float) -> None:
        self._last_touch = now

    def idle_for(self, now: float) -> float:
        return max(0.0, now - self._last_touch)

    def is_idle(self, now: float) -> bool:
        return self.idle_for(now) >= self.timeout
