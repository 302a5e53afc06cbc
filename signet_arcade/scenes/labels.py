"""Text for the scenes: cached label surfaces and the "nothing yet" message.

Rendering text is the costliest thing a panel does each frame, so every label is rendered once
and reused until its text, font or colour changes.
"""
from __future__ import annotations

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme
from signet_arcade.scenes.tooltips import wrap

_MAX_LABELS = 2048     # a bound, so a kiosk running for a year never grows its cache without end


class LabelCache:
    """Rendered text surfaces keyed by (text, font role, size, colour)."""

    def __init__(self) -> None:
        self._surfaces: dict[tuple, pygame.Surface] = {}

    def get(self, text: str, role: str, size: int, color: tuple) -> pygame.Surface:
        key = (text, role, size, color)
        surf = self._surfaces.get(key)
        if surf is None:
            if len(self._surfaces) >= _MAX_LABELS:
                self._surfaces.clear()
            surf = fonts.get(role, size).render(text, True, color)
            self._surfaces[key] = surf
        return surf


def draw_placeholder(surface: pygame.Surface, rect: pygame.Rect, message: str) -> None:
    """A calm, centred, muted sentence for a panel that has nothing to show yet."""
    size = max(11, min(24, rect.height // 8, rect.width // 18))
    font = fonts.get("text", size)
    lines = wrap(message, font, max(20, rect.width - 16))
    line_h = font.get_linesize()
    y = rect.centery - line_h * len(lines) // 2
    for line in lines:
        label = font.render(line, True, theme.MUTED)
        surface.blit(label, label.get_rect(midtop=(rect.centerx, y)))
        y += line_h
