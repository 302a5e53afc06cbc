"""Attract mode: when nobody is at the kiosk, the app runs a demo by itself and invites visitors in.

The director only says *what* should happen, as `Command`s and caption text over time; the app
sends the commands to the session and draws the caption. Times are passed in as seconds.
"""
from __future__ import annotations

from typing import Protocol, Sequence

from signet_arcade.commands import (Command, Reset, SetArchitecture, SetLearningRate, SetPreset,
                                    SetSpeed, SetTemperature, Train)

INVITATION = "Touch anywhere to teach it yourself"

CAPTIONS = (
    INVITATION,
    "This tiny computer brain is learning to write, one letter at a time",
    "{description}",
    "Watch the line on the loss chart fall: that means it is learning",
    "Give it your own words: touch the screen",
)
"""Shown in turn while the demo runs; "{description}" becomes the current preset's description."""


class NamedText(Protocol):
    name: str
    description: str


class AttractDirector:
    def __init__(self, presets: Sequence[NamedText], lr: float = 3e-4, temperature: float = 0.4,
                 speed: int = 100, architecture: SetArchitecture | None = None,
                 preset_seconds: float = 75.0, caption_seconds: float = 7.0):
        if not presets:
            raise ValueError("attract mode needs at least one preset to show")
        self.presets = list(presets)
        self.friendly: list[Command] = [SetLearningRate(lr), SetTemperature(temperature),
                                        SetSpeed(speed)]
        if architecture is not None:
            self.friendly.append(architecture)
        self.preset_seconds = preset_seconds
        self.caption_seconds = caption_seconds
        self._next_preset = 0               # kept across demos: each demo shows the next text
        self._started: float | None = None
        self._preset_started = 0.0

    @property
    def active(self) -> bool:
        return self._started is not None

    @property
    def current_preset(self) -> NamedText:
        return self.presets[(self._next_preset - 1) % len(self.presets)]

    def start(self, now: float) -> list[Command]:
        """Begin a demo: friendly settings, the next preset from scratch, training."""
        self._started = now
        return self.friendly + self._next_text(now)

    def update(self, now: float) -> list[Command]:
        """Commands due by `now`: a fresh preset every `preset_seconds` while active."""
        if self.active and now - self._preset_started >= self.preset_seconds:
            return self._next_text(now)
        return []

    def stop(self) -> None:
        """A visitor touched the screen: hand control back at once (no commands: what is on
        screen stays, so the visitor takes over a model that is already learning)."""
        self._started = None

    def caption(self, now: float) -> str | None:
        if not self.active:
            return None
        turn = int((now - self._started) // self.caption_seconds) % len(CAPTIONS)
        return CAPTIONS[turn].format(description=self.current_preset.description)

    def caption_fade(self, now: float) -> float:
        """0..1 opacity: each caption fades in and out over its first and last second."""
        if not self.active:
            return 0.0
        into = (now - self._started) % self.caption_seconds
        return max(0.0, min(1.0, into, self.caption_seconds - into))

    def _next_text(self, now: float) -> list[Command]:
        preset = self.presets[self._next_preset]
        self._next_preset = (self._next_preset + 1) % len(self.presets)
        self._preset_started = now
        return [SetPreset(preset.name), Reset(), Train()]
