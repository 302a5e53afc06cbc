"""Kiosk mode for the main loop: the idle timer, attract mode, the exit gesture, the visitor
guard and the cursor, behind three calls.

    kiosk = KioskMode(settings, presets, now)
    for event in events:
        if kiosk.let_through(event, now): app.handle_event(event)
    for command in kiosk.update(now): app.send(command)
    if kiosk.should_exit(now): quit
    pygame.mouse.set_visible(kiosk.cursor_visible(now)); draw kiosk.caption(now) if any
"""
from __future__ import annotations

from typing import Sequence

import pygame

from signet_arcade.commands import Command, SetArchitecture
from signet_arcade.kiosk.attract import AttractDirector, NamedText
from signet_arcade.kiosk.exit_gesture import ExitGesture
from signet_arcade.kiosk.idle import IdleTimer
from signet_arcade.kiosk.visitor_guard import is_deliberate_input, is_visitor_input, kiosk_swallows


class KioskMode:
    def __init__(self, settings, presets: Sequence[NamedText], now: float,
                 architecture: SetArchitecture | None = None):
        """`presets` in the order the demo shows them; `architecture` is the friendly one the
        demo returns to (None leaves the visitor's choice alone)."""
        self.idle = IdleTimer(settings.idle_timeout, now)
        self.cursor = IdleTimer(settings.cursor_hide_seconds, now)   # a still mouse hides the arrow
        self.exit = ExitGesture(settings.exit_gesture, settings.exit_hold_seconds)
        self.attract = AttractDirector(presets, lr=settings.lr, temperature=settings.temperature,
                                       speed=settings.speed, architecture=architecture)

    def let_through(self, event, now: float) -> bool:
        """False if the app must ignore this event: a way out, or the touch that ends a demo
        (so a visitor's first tap cannot press whatever button lies under it)."""
        self.exit.handle_event(event, now)      # first: Ctrl+Shift+Q is also a swallowed Ctrl+Q
        if kiosk_swallows(event):
            return False
        if not is_visitor_input(event):
            return True
        self.idle.touched(now)
        if _moves_cursor(event):
            self.cursor.touched(now)
        if self.attract.active and is_deliberate_input(event):
            self.attract.stop()
            return False
        return True

    def update(self, now: float) -> list[Command]:
        """Commands for the session: a demo starting when nobody has touched the screen for
        `idle_timeout` seconds, and its next steps while it runs."""
        if not self.attract.active and self.idle.is_idle(now):
            return self.attract.start(now)
        return self.attract.update(now)

    def should_exit(self, now: float) -> bool:
        return self.exit.update(now)

    def cursor_visible(self, now: float) -> bool:
        return not self.cursor.is_idle(now)

    def caption(self, now: float) -> str | None:
        """The demo's invitation to show now, or None (with its 0..1 opacity in caption_fade)."""
        return self.attract.caption(now)

    def caption_fade(self, now: float) -> float:
        return self.attract.caption_fade(now)


def _moves_cursor(event) -> bool:
    """A real mouse, not a finger: on a touchscreen the arrow stays hidden."""
    return (event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN)
            and not getattr(event, "touch", False))
