"""What kiosk mode draws over the dashboard: attract mode's big invitation, and the operator's
"keep holding to exit" bar while the exit gesture is being held."""
from __future__ import annotations

import math
from functools import lru_cache

import pygame

from signet_arcade import fonts
from signet_arcade.kiosk.attract import INVITATION
from signet_arcade.scenes import theme
from signet_arcade.scenes.tooltips import wrap

RIPPLE_PERIOD_S = 1.8          # one "touch here" ring every this many seconds
CAPTION_WIDTH = 0.86           # the caption card's width, at most, as a share of the panels' area
EXIT_HINT = "Keep holding to exit…"


@lru_cache(maxsize=8)
def _caption_card(text: str, max_width: int, height: int) -> tuple[pygame.Surface, tuple[int, int], int]:
    """The card with the caption's words (and, under any other caption, the invitation to touch),
    where its touch ripple goes, and the ripple's radius."""
    font = fonts.get("bold", max(22, height // 17))
    hint_font = fonts.get("text", max(15, height // 32))
    ripple_r = font.get_height() * 11 // 20
    pad = font.get_height() // 2
    text_width = max_width - 3 * pad - 2 * ripple_r
    spacing = font.get_linesize() - font.get_height()
    lines = [(font.render(line, True, theme.TITLE), spacing) for line in _balanced_wrap(text, font, text_width)]
    if text != INVITATION:
        hint = _balanced_wrap(INVITATION, hint_font, text_width)
        lines += [(hint_font.render(line, True, theme.LOSS_SMOOTH), spacing + (pad // 2 if i == 0 else 0))
                  for i, line in enumerate(hint)]
    words_w = max(line.get_width() for line, _ in lines)
    words_h = sum(line.get_height() + space_above for line, space_above in lines[1:]) + lines[0][0].get_height()
    card_w = pad + 2 * ripple_r + pad + words_w + pad
    card_h = max(words_h, 2 * ripple_r) + 2 * pad
    card = pygame.Surface((card_w, card_h), pygame.SRCALPHA)
    radius = pad
    glow = theme.LOSS_SMOOTH
    pygame.draw.rect(card, (*theme.BACKGROUND, 235), card.get_rect(), border_radius=radius)
    pygame.draw.rect(card, (*glow, 200), card.get_rect(), width=max(2, height // 360), border_radius=radius)
    y = (card_h - words_h) // 2
    for i, (line, space_above) in enumerate(lines):
        y += space_above if i else 0
        card.blit(line, (pad + 2 * ripple_r + pad, y))
        y += line.get_height()
    return card, (pad + ripple_r, card_h // 2), ripple_r


def _balanced_wrap(text: str, font: pygame.font.Font, max_width: int) -> list[str]:
    """Lines no wider than max_width, as even as possible: no lonely last word."""
    lines = wrap(text, font, max_width)
    lo, hi = 1, max_width                  # the narrowest width that still needs no more lines
    while lo < hi:
        mid = (lo + hi) // 2
        if len(wrap(text, font, mid)) <= len(lines):
            hi = mid
        else:
            lo = mid + 1
    return wrap(text, font, lo)


def draw_attract_caption(surface: pygame.Surface, area: pygame.Rect, text: str, fade: float,
                         t: float) -> pygame.Rect:
    """The caption big and centred over `area` (the panels), with a pulsing "touch here" ripple
    beside it; `fade` 0..1 is its opacity, `t` seconds drive the ripple. Returns the card's rect."""
    card, ripple_at, ripple_r = _caption_card(text, int(area.width * CAPTION_WIDTH), surface.get_height())
    rect = card.get_rect(center=area.center)
    alpha = int(255 * max(0.0, min(1.0, fade)))
    if alpha == 0:
        return rect
    layer = card.copy()
    _draw_ripple(layer, ripple_at, ripple_r, (t % RIPPLE_PERIOD_S) / RIPPLE_PERIOD_S)
    layer.set_alpha(alpha)
    surface.blit(layer, rect)
    return rect


def _draw_ripple(layer: pygame.Surface, centre: tuple[int, int], radius: int, phase: float) -> None:
    """A fingertip (a soft dot) with rings spreading from it: the universal sign for "tap"."""
    glow = theme.LOSS_SMOOTH
    for ring_phase in (phase, (phase + 0.5) % 1.0):
        ring = int(radius * (0.35 + 0.65 * ring_phase))
        pygame.draw.circle(layer, (*glow, int(220 * (1 - ring_phase))), centre, ring, width=max(2, radius // 8))
    breathe = 0.5 + 0.5 * math.sin(2 * math.pi * phase)
    pygame.draw.circle(layer, (*glow, 110), centre, int(radius * (0.3 + 0.05 * breathe)))
    pygame.draw.circle(layer, (*theme.TITLE, 255), centre, max(3, radius // 5))


def draw_exit_progress(surface: pygame.Surface, progress: float) -> None:
    """For the operator: a small card at the top with how much of the exit hold is done."""
    width, height = surface.get_size()
    font = fonts.get("text", max(13, height // 45))
    label = font.render(EXIT_HINT, True, theme.TEXT)
    pad = font.get_height() // 2
    bar_h = max(4, pad // 2)
    card = pygame.Rect(0, 0, label.get_width() + 2 * pad, font.get_height() + bar_h + 2 * pad)
    card.midtop = (width // 2, pad)
    pygame.draw.rect(surface, theme.TOOLTIP_BG, card, border_radius=pad)
    pygame.draw.rect(surface, theme.TOOLTIP_EDGE, card, width=1, border_radius=pad)
    surface.blit(label, (card.x + pad, card.y + pad // 2))
    bar = pygame.Rect(card.x + pad, card.bottom - pad - bar_h // 2, card.width - 2 * pad, bar_h)
    pygame.draw.rect(surface, theme.GRID, bar, border_radius=bar_h // 2)
    done = bar.copy()
    done.width = int(bar.width * max(0.0, min(1.0, progress)))
    if done.width:
        pygame.draw.rect(surface, theme.WARNING, done, border_radius=bar_h // 2)
