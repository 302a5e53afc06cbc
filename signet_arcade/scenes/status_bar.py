"""The status line: step, loss, parameters, speed, and the latest notice in plain words."""
from __future__ import annotations

import math

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme
from signet_arcade.snapshot import Snapshot


def _latest_loss(snap: Snapshot) -> str:
    if len(snap.loss_smooth) == 0 or not math.isfinite(float(snap.loss_smooth[-1])):
        return "–"
    return f"{float(snap.loss_smooth[-1]):.3f}"


def _fit(font: pygame.font.Font, text: str, width: int) -> str:
    """`text`, cut with an ellipsis so it fits `width` pixels."""
    if font.size(text)[0] <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.size(text[:mid] + "…")[0] <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…" if lo else ""


class StatusBar:
    """Rendered only when the snapshot or the size changes: a frame costs one blit."""

    def __init__(self):
        self.help_targets: list[tuple[pygame.Rect, str]] = []
        self._image: pygame.Surface | None = None
        self._drawn_for: tuple = ()

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        key = (id(snap), tuple(rect))
        if key != self._drawn_for:
            self._drawn_for = key
            self._image, targets = _render(rect.size, snap)
            self.help_targets = [(r.move(rect.topleft), k) for r, k in targets]
        surface.blit(self._image, rect)


def _render(size: tuple[int, int], snap: Snapshot) -> tuple[pygame.Surface, list]:
    """The status line drawn on its own surface, and where its "?" marks are on it."""
    image = pygame.Surface(size, pygame.SRCALPHA)
    rect = image.get_rect()
    radius = max(4, rect.height // 4)
    pygame.draw.rect(image, theme.PANEL, rect, border_radius=radius)
    pygame.draw.rect(image, theme.PANEL_EDGE, rect, width=1, border_radius=radius)
    font_size = max(11, round(rect.height * 0.46))
    text_font, bold = fonts.get("text", font_size), fonts.get("bold", font_size)
    pad = max(6, rect.height // 3)
    x, cy = pad, rect.centery
    targets = []

    def put(label: str, value: str, help_key: str | None = None) -> None:
        nonlocal x
        for font, words, colour in ((text_font, label, theme.MUTED), (bold, value, theme.TITLE)):
            img = font.render(words, True, colour)
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

    put("Step", f"{snap.step:,}", "step")
    put("Loss", _latest_loss(snap), "loss_status")
    put("Parameters", f"{snap.param_count:,}")
    put("Steps/s", f"{snap.steps_per_s:,.0f}")
    put("FPS", f"{snap.fps:.0f}")

    message = snap.notice or (f"Learning from: {snap.text_name}" if snap.text_name else "")
    if message:
        colour = theme.WARNING if snap.notice_is_warning else (theme.TEXT if snap.notice else theme.MUTED)
        words = _fit(text_font, message, rect.right - pad - x)
        if words:
            img = text_font.render(words, True, colour)
            image.blit(img, img.get_rect(midright=(rect.right - pad, cy)))
    return image, targets
