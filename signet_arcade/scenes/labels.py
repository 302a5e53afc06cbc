"""Text for the scenes: cached label surfaces, word wrapping and the "nothing yet" message.

Rendering text is the costliest thing a panel does each frame, so every label is rendered once
and reused until its text, font or colour changes.
"""
from __future__ import annotations

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme

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


def wrap_words(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """Split `text` into lines no wider than `width` pixels (a word longer than a line stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and font.size(trial)[0] > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def draw_placeholder(surface: pygame.Surface, rect: pygame.Rect, message: str) -> None:
    """A calm, centred, muted sentence for a panel that has nothing to show yet."""
    size = max(11, min(24, rect.height // 8, rect.width // 18))
    font = fonts.get("text", size)
    lines = wrap_words(message, font, max(20, rect.width - 16))
    line_h = font.get_linesize()
    y = rect.centery - line_h * len(lines) // 2
    for line in lines:
        label = font.render(line, True, theme.MUTED)
        surface.blit(label, label.get_rect(midtop=(rect.centerx, y)))
        y += line_h
