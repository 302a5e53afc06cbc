"""The operator's way out of a kiosk: hold a key combination (default Ctrl+Shift+Q) for a while.

Pure logic: keys arrive as pygame key names ("q", "left ctrl") and times as plain seconds, so
tests need neither a window nor a clock. `handle_event` adapts real pygame events.
"""
from __future__ import annotations

from dataclasses import dataclass

MODIFIERS = ("ctrl", "shift", "alt", "meta")

# A gesture's main key must be one a keyboard reliably reports by name.
_NAMED_KEYS = frozenset({
    "escape", "space", "return", "backspace", "tab", "delete", "insert", "home", "end",
    "page up", "page down", "up", "down", "left", "right", "pause", "scroll lock",
} | {f"f{n}" for n in range(1, 16)})


@dataclass(frozen=True)
class Gesture:
    modifiers: frozenset[str]
    key: str


def parse_gesture(text: str) -> Gesture:
    """"ctrl+shift+q" -> Gesture({"ctrl", "shift"}, "q"); a clear ValueError otherwise.

    At least one modifier is required so that a visitor cannot leave by holding one key.
    """
    if not isinstance(text, str):
        raise ValueError(f"a gesture is text like 'ctrl+shift+q', not {text!r}")
    parts = [p.strip().lower() for p in text.split("+")]
    modifiers = frozenset(p for p in parts if p in MODIFIERS)
    keys = [p for p in parts if p not in MODIFIERS]
    if len(keys) != 1 or not modifiers or len(modifiers) != len(parts) - 1:
        raise ValueError(f"a gesture is one or more of {', '.join(MODIFIERS)} and one key, "
                         f"joined by '+', like 'ctrl+shift+q'; got {text!r}")
    key = keys[0]
    if not (len(key) == 1 and key.isascii() and key.isalnum()) and key not in _NAMED_KEYS:
        raise ValueError(f"unknown key {key!r} in gesture {text!r}: use a letter, a digit, "
                         f"f1..f15 or a key name such as 'escape' or 'space'")
    return Gesture(modifiers, key)


def _normalise(key_name: str) -> str:
    """pygame names both sides of a modifier ("left ctrl", "right ctrl"): both count as "ctrl"."""
    name = key_name.lower()
    for side in ("left ", "right "):
        if name.startswith(side) and name[len(side):] in MODIFIERS:
            return name[len(side):]
    return name


class ExitGesture:
    """True from `update(now)` once every key of the gesture has been held for `hold_seconds`."""

    def __init__(self, gesture: str = "ctrl+shift+q", hold_seconds: float = 3.0):
        self.gesture = parse_gesture(gesture)
        self.hold_seconds = hold_seconds
        self._held: set[str] = set()
        self._complete_since: float | None = None

    def key_down(self, key_name: str, now: float) -> None:
        self._held.add(_normalise(key_name))
        self._recheck(now)

    def key_up(self, key_name: str, now: float) -> None:
        self._held.discard(_normalise(key_name))
        self._recheck(now)

    def set_modifiers(self, held: set[str] | frozenset[str], now: float) -> None:
        """Trust the keyboard's own modifier state: a key released while the window was
        unfocused never sends key-up, and a stale "ctrl" must not count as held."""
        self._held = {k for k in self._held if k not in MODIFIERS} | set(held)
        self._recheck(now)

    def release_all(self) -> None:
        """The window lost focus: nothing counts as held any more."""
        self._held.clear()
        self._complete_since = None

    def progress(self, now: float) -> float:
        """0..1 of the hold done, for an optional on-screen hint to the operator."""
        if self._complete_since is None:
            return 0.0
        return min(1.0, (now - self._complete_since) / self.hold_seconds) if self.hold_seconds > 0 else 1.0

    def update(self, now: float) -> bool:
        return self._complete_since is not None and now - self._complete_since >= self.hold_seconds

    def handle_event(self, event, now: float) -> None:
        """Feed one pygame event (KEYDOWN, KEYUP, WINDOWFOCUSLOST); others are ignored."""
        import pygame

        if event.type == pygame.WINDOWFOCUSLOST:
            self.release_all()
        elif event.type in (pygame.KEYDOWN, pygame.KEYUP):
            self.set_modifiers(_modifiers_in(event.mod), now)
            if event.type == pygame.KEYDOWN:
                self.key_down(pygame.key.name(event.key), now)
            else:
                self.key_up(pygame.key.name(event.key), now)

    def _recheck(self, now: float) -> None:
        complete = self.gesture.modifiers | {self.gesture.key} <= self._held
        if not complete:
            self._complete_since = None
        elif self._complete_since is None:
            self._complete_since = now


def _modifiers_in(mod: int) -> set[str]:
    import pygame

    masks = {"ctrl": pygame.KMOD_CTRL, "shift": pygame.KMOD_SHIFT, "alt": pygame.KMOD_ALT,
             "meta": pygame.KMOD_META}
    return {name for name, mask in masks.items() if mod & mask}
