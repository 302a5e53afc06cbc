"""The status line: step, loss, parameters, speed, and the latest notice in plain words.

A notice matters more than the speed figures: when it does not fit, FPS, steps/s and the
parameter count make room for it, in that order; if it still does not fit, it scrolls slowly
(pausing at each end) rather than being cut, so a visitor can read all of it.
"""
from __future__ import annotations

import math

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme
from signet_arcade.snapshot import Snapshot

SCROLL_PX_PER_S = 45           # slow enough to read while it moves
SCROLL_PAUSE_S = 2.5           # still at the start and at the end of each pass


def _latest_loss(snap: Snapshot) -> str:
    if len(snap.loss_smooth) == 0 or not math.isfinite(float(snap.loss_smooth[-1])):
        return "–"
    return f"{float(snap.loss_smooth[-1]):.3f}"


class _Ticker:
    """A message too long for its room, scrolled back and forth over time."""

    def __init__(self, image: pygame.Surface, area: pygame.Rect):
        self.image, self.area = image, area
        self.started: float | None = None

    def draw(self, surface: pygame.Surface, origin: tuple[int, int], t: float) -> None:
        if self.started is None:
            self.started = t
        travel = self.image.get_width() - self.area.width
        moving = travel / SCROLL_PX_PER_S
        into = (t - self.started) % (2 * SCROLL_PAUSE_S + moving)
        offset = int(min(travel, max(0.0, into - SCROLL_PAUSE_S) * SCROLL_PX_PER_S))
        area = self.area.move(origin)
        surface.blit(self.image, area, pygame.Rect(offset, 0, area.width, self.image.get_height()))


class StatusBar:
    """Rendered only when the snapshot or the size changes: a frame costs one or two blits."""

    def __init__(self):
        self.help_targets: list[tuple[pygame.Rect, str]] = []
        self._image: pygame.Surface | None = None
        self._drawn_for: tuple = ()
        self._ticker: _Ticker | None = None
        self._ticker_key: tuple = ()

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot, t: float = 0.0) -> None:
        """Draw into `rect`; `t` (seconds) moves a message that scrolls."""
        key = (id(snap), tuple(rect))
        if key != self._drawn_for:
            self._drawn_for = key
            self._image, targets, ticker = _render(rect.size, snap)
            self.help_targets = [(r.move(rect.topleft), k) for r, k in targets]
            ticker_key = (snap.notice, snap.text_name, tuple(ticker.area)) if ticker else ()
            if ticker_key != self._ticker_key:          # the same words keep scrolling where they were
                self._ticker, self._ticker_key = ticker, ticker_key
        surface.blit(self._image, rect)
        if self._ticker is not None:
            self._ticker.draw(surface, rect.topleft, t)


def _render(size: tuple[int, int], snap: Snapshot) -> tuple[pygame.Surface, list, _Ticker | None]:
    """The status line drawn on its own surface, where its "?" marks are on it, and the message
    as a ticker when it is too long to show whole."""
    image = pygame.Surface(size, pygame.SRCALPHA)
    rect = image.get_rect()
    radius = max(4, rect.height // 4)
    pygame.draw.rect(image, theme.PANEL, rect, border_radius=radius)
    pygame.draw.rect(image, theme.PANEL_EDGE, rect, width=1, border_radius=radius)
    font_size = max(11, round(rect.height * 0.46))
    text_font, bold = fonts.get("text", font_size), fonts.get("bold", font_size)
    pad = max(6, rect.height // 3)
    cy = rect.centery

    figures = [("Step", f"{snap.step:,}", "step"), ("Loss", _latest_loss(snap), "loss_status"),
               ("Parameters", f"{snap.param_count:,}", None), ("Steps/s", f"{snap.steps_per_s:,.0f}", None),
               ("FPS", f"{snap.fps:.0f}", None)]
    message = snap.notice or (f"Learning from: {snap.text_name}" if snap.text_name else "")
    colour = theme.WARNING if snap.notice_is_warning else (theme.TEXT if snap.notice else theme.MUTED)
    words = text_font.render(message, True, colour) if message else None

    def width_of(label: str, value: str, help_key: str | None) -> int:
        w = text_font.size(label)[0] + bold.size(value)[0] + 2 * (font_size // 3)
        return w + (round(font_size * 1.05) if help_key else 0) + font_size

    room = rect.width - 2 * pad
    while words is not None and len(figures) > 2 and sum(width_of(*f) for f in figures) + words.get_width() > room:
        figures.pop()                     # the least important figure makes room for the words

    x, targets = pad, []
    for label, value, help_key in figures:
        for font, text, tint in ((text_font, label, theme.MUTED), (bold, value, theme.TITLE)):
            img = font.render(text, True, tint)
            image.blit(img, img.get_rect(midleft=(x, cy)))
            x += img.get_width() + font_size // 3
        if help_key:
            d = round(font_size * 1.05)
            r = pygame.Rect(0, 0, d, d)
            r.midleft = (x, cy)
            pygame.draw.circle(image, theme.PANEL_EDGE, r.center, d // 2)
            q = bold.render("?", True, theme.TITLE)
            image.blit(q, q.get_rect(center=r.center))
            targets.append((r, help_key))
            x += d
        x += font_size

    if words is None:
        return image, targets, None
    area = pygame.Rect(x, 0, max(0, rect.right - pad - x), words.get_height())
    area.centery = cy
    if words.get_width() <= area.width:
        image.blit(words, words.get_rect(midright=(rect.right - pad, cy)))
        return image, targets, None
    return image, targets, _Ticker(words, area)
