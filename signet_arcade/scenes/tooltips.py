"""The tooltip bubble: word-wrapped words near the pointer, always fully on screen."""
from __future__ import annotations

from functools import lru_cache

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme
from signet_arcade.scenes.panel import clipped_to

MAX_WIDTH_AT_720P = 420      # px; the bubble's widest line on a 1280x720 screen, scaled with it


def wrap(text: str, font: pygame.font.Font, max_width: int) -> list[str]:
    """Lines of `text` no wider than max_width; "\\n" starts a new line, long words are cut."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if font.size(candidate)[0] <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while font.size(word)[0] > max_width and len(word) > 1:
                cut = _longest_prefix(word, font, max_width)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _longest_prefix(word: str, font: pygame.font.Font, max_width: int) -> int:
    cut = 1
    while cut < len(word) and font.size(word[:cut + 1])[0] <= max_width:
        cut += 1
    return cut


@lru_cache(maxsize=16)
def _bubble(text: str, font_size: int, max_width: int) -> pygame.Surface:
    """The rendered bubble; cached so hovering costs one blit per frame."""
    font = fonts.get("text", font_size)
    pad = max(6, font_size // 2)
    lines = [font.render(line, True, theme.TOOLTIP_TEXT) for line in wrap(text, font, max_width - 2 * pad)]
    line_h = font.get_linesize()
    width = max(line.get_width() for line in lines) + 2 * pad
    height = line_h * len(lines) + 2 * pad
    radius = max(4, font_size // 2)
    shadow = max(2, font_size // 6)
    bubble = pygame.Surface((width + shadow, height + shadow), pygame.SRCALPHA)
    pygame.draw.rect(bubble, (0, 0, 0, 110), (shadow, shadow, width, height), border_radius=radius)
    pygame.draw.rect(bubble, theme.TOOLTIP_BG, (0, 0, width, height), border_radius=radius)
    pygame.draw.rect(bubble, theme.TOOLTIP_EDGE, (0, 0, width, height), width=1, border_radius=radius)
    for i, line in enumerate(lines):
        bubble.blit(line, (pad, pad + i * line_h))
    return bubble


def draw_tooltip(surface: pygame.Surface, text: str, anchor: tuple[int, int],
                 bounds: pygame.Rect | None = None) -> pygame.Rect:
    """Draw a bubble for `text` near `anchor` (below-right, flipped when there is no room),
    kept inside `bounds` (default: the whole surface). Returns the rect it covers."""
    bounds = pygame.Rect(bounds) if bounds is not None else surface.get_rect()
    if not text or bounds.width < 8 or bounds.height < 8:
        return pygame.Rect(anchor, (0, 0))
    scale = surface.get_height() / 720
    font_size = int(max(12, min(30, 15 * scale)))
    max_width = int(min(MAX_WIDTH_AT_720P * max(scale, 0.75), bounds.width - 8))
    bubble = _bubble(text, font_size, max(40, max_width))
    rect = bubble.get_rect()
    gap = max(10, font_size)
    x, y = anchor
    rect.topleft = (x + gap // 2, y + gap)
    if rect.bottom > bounds.bottom:
        rect.bottom = y - gap // 2               # no room below the pointer: go above it
    if rect.right > bounds.right:
        rect.right = x - gap // 2                # no room on the right: go left of it
    rect.clamp_ip(bounds)                        # bigger than the room left? at least stay inside
    with clipped_to(surface, bounds):
        surface.blit(bubble, rect)
    return rect.clip(bounds)
