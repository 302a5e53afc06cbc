"""What every panel is: a framed, titled rectangle with a "?" that explains it.

The app owns layout and the frame; a panel draws its content into the rectangle it is given and
keeps only animation state (eased values, particle positions, glow phase).
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme
from signet_arcade.snapshot import Snapshot


class Panel:
    title = ""
    help_key = ""          # key into signet_arcade.help_texts.HELP

    def __init__(self, low_power: bool = False):
        self.low_power = low_power      # Pi profile: fewer or no glow passes, cheaper effects

    def update(self, snap: Snapshot, dt: float) -> None:
        """Advance animations towards what `snap` shows; dt is seconds since the last frame."""

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        """Draw the content into `rect` (inside the frame)."""
        raise NotImplementedError

    def tooltip_at(self, pos: tuple[int, int]) -> str | None:
        """Words for what lies under the pointer in the last drawn content, if anything."""
        return None

    def click(self, pos: tuple[int, int]) -> bool:
        """React to a click or tap inside the content; True when it was used."""
        return False


@contextmanager
def clipped_to(surface: pygame.Surface, rect: pygame.Rect):
    """Draw inside `rect` only (and inside any clip already set), then restore the old clip."""
    previous = surface.get_clip()
    surface.set_clip(pygame.Rect(rect).clip(previous))
    try:
        yield
    finally:
        surface.set_clip(previous)


def text_size(rect: pygame.Rect, fraction: float, smallest: int = 10, largest: int = 40) -> int:
    """A font pixel size that grows with the content rect: `fraction` of its height, clamped.

    `smallest` keeps text legible on an 800x480 touchscreen; `largest` keeps a 4K wall calm.
    """
    return int(max(smallest, min(largest, rect.height * fraction)))


def title_height(rect_height: int) -> int:
    return max(18, min(60, rect_height // 9))


_CARDS: dict[tuple, pygame.Surface] = {}
_CARD_CACHE_SIZE = 32


def _card(width: int, height: int, title: str) -> pygame.Surface:
    """The card (gradient, edge, title, "?") for one size and title, rendered once."""
    key = (width, height, title)
    card = _CARDS.get(key)
    if card is not None:
        return card
    radius = max(6, min(14, height // 20))
    shape = pygame.Surface((width, height), pygame.SRCALPHA)
    pygame.draw.rect(shape, (255, 255, 255, 255), shape.get_rect(), border_radius=radius)
    column = pygame.Surface((1, 2))
    column.set_at((0, 0), theme.PANEL_TOP)
    column.set_at((0, 1), theme.PANEL)
    shape.blit(pygame.transform.smoothscale(column, (width, height)), (0, 0), special_flags=pygame.BLEND_RGBA_MULT)
    # Opaque, with the app's background in the corners: an opaque blit costs a third of an alpha one.
    card = pygame.Surface((width, height))
    if pygame.display.get_surface() is not None:
        card = card.convert()
    card.fill(theme.BACKGROUND)
    card.blit(shape, (0, 0))
    pygame.draw.rect(card, theme.PANEL_EDGE, card.get_rect(), width=1, border_radius=radius)
    label_rect, help_rect, _ = _title_layout(width, height, title)
    label = fonts.get("bold", label_rect.height).render(title, True, theme.TITLE)
    card.blit(label, label.get_rect(midleft=label_rect.midleft))
    pygame.draw.circle(card, theme.PANEL_EDGE, help_rect.center, help_rect.width // 2)
    q = fonts.get("bold", int(help_rect.width * 0.8)).render("?", True, theme.TITLE)
    card.blit(q, q.get_rect(center=help_rect.center))
    if len(_CARDS) >= _CARD_CACHE_SIZE:
        _CARDS.clear()
    _CARDS[key] = card
    return card


@lru_cache(maxsize=64)
def _title_layout(width: int, height: int, title: str) -> tuple[pygame.Rect, pygame.Rect, pygame.Rect]:
    """(title label rect whose height is the font size, "?" button rect, content rect) for a card
    of this size at (0, 0)."""
    th = title_height(height)
    pad = max(6, th // 3)
    size = int(th * 0.62)
    label_w = fonts.get("bold", size).size(title)[0] if title else 0
    center_y = th // 2 + pad // 2
    label = pygame.Rect(pad, 0, label_w, size)
    label.centery = center_y
    d = int(th * 0.72)
    help_rect = pygame.Rect(pad + label_w + pad // 2, 0, d, d)
    help_rect.centery = center_y
    content = pygame.Rect(pad, th + pad, width - 2 * pad, height - th - 2 * pad)
    return label, help_rect, content


def draw_frame(surface: pygame.Surface, rect: pygame.Rect, title: str) -> tuple[pygame.Rect, pygame.Rect]:
    """Draw the panel's card and title; returns (content rect, "?" button rect)."""
    rect = pygame.Rect(rect)
    if rect.width > 0 and rect.height > 0:
        surface.blit(_card(rect.width, rect.height, title), rect.topleft)
    _, help_rect, content = _title_layout(rect.width, rect.height, title)
    return content.move(rect.topleft), help_rect.move(rect.topleft)
