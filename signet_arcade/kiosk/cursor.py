"""When to hide the mouse cursor: after it has been still for a few seconds, so a touchscreen
kiosk shows no arrow stranded in the middle of a panel."""
from __future__ import annotations


class CursorHider:
    def __init__(self, hide_after: float, now: float = 0.0):
        self.hide_after = hide_after
        self._last_move = now

    def moved(self, now: float) -> None:
        self._last_move = now

    def visible(self, now: float) -> bool:
        return now - self._last_move < self.hide_after
