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
    def __init__(self):
        self.help_targets: list[tuple[pygame.Rect, str]] = []

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        radius = max(4, rect.height // 4)
        pygame.draw.rect(surface, theme.PANEL, rect, border_radius=radius)
        pygame.draw.rect(surface, theme.PANEL_EDGE, rect, width=1, border_radius=radius)
        size = max(11, round(rect.height * 0.46))
        text_font, bold = fonts.get("text", size), fonts.get("bold", size)
        pad = max(6, rect.height // 3)
        x, cy = rect.x + pad, rect.centery
        self.help_targets = []

        def put(label: str, value: str, help_key: str | None = None) -> None:
            nonlocal x
            for font, words, colour in ((text_font, label, theme.MUTED), (bold, value, theme.TITLE)):
                img = font.render(words, True, colour)
                surface.blit(img, img.get_rect(midleft=(x, cy)))
                x += img.get_width() + size // 3
            if help_key:
                d = round(size * 1.05)
                r = pygame.Rect(0, 0, d, d)
                r.midleft = (x, cy)
                pygame.draw.circle(surface, theme.PANEL_EDGE, r.center, d // 2)
                q = bold.render("?", True, theme.TITLE)
                surface.blit(q, q.get_rect(center=r.center))
                self.help_targets.append((r, help_key))
                x += d
            x += size

        put("Step", f"{snap.step:,}", "step")
        put("Loss", _latest_loss(snap), "loss_status")
        put("Parameters", f"{snap.param_count:,}")
        put("Steps/s", f"{snap.steps_per_s:,.0f}")
        put("FPS", f"{snap.fps:.0f}")

        message = snap.notice or (f"Learning from: {snap.text_name}" if snap.text_name else "")
        if message:
            colour = theme.WARNING if snap.notice_is_warning else (theme.TEXT if snap.notice else theme.MUTED)
            room = rect.right - pad - x
            words = _fit(text_font, message, room)
            if words:
                img = text_font.render(words, True, colour)
                surface.blit(img, img.get_rect(midright=(rect.right - pad, cy)))
