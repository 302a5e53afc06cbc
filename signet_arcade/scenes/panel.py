"""What every panel is: a framed, titled rectangle with a "?" that explains it.

The app owns layout and the frame; a panel draws its content into the rectangle it is given and
keeps only animation state (eased values, particle positions, glow phase).
"""
from __future__ import annotations

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme
from signet_arcade.snapshot import Snapshot


class Panel:
    title = ""
    help_key = ""          # key into signet_arcade.help_texts.HELP

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


def title_height(rect_height: int) -> int:
    return max(18, min(34, rect_height // 9))


def draw_frame(surface: pygame.Surface, rect: pygame.Rect, title: str) -> tuple[pygame.Rect, pygame.Rect]:
    """Draw the panel's card and title; returns (content rect, "?" button rect)."""
    radius = max(6, min(14, rect.height // 20))
    pygame.draw.rect(surface, theme.PANEL, rect, border_radius=radius)
    pygame.draw.rect(surface, theme.PANEL_EDGE, rect, width=1, border_radius=radius)
    th = title_height(rect.height)
    pad = max(6, th // 3)
    font = fonts.get("bold", int(th * 0.62))
    label = font.render(title, True, theme.TITLE)
    surface.blit(label, (rect.x + pad, rect.y + (th - label.get_height()) // 2 + pad // 2))
    d = int(th * 0.72)
    help_rect = pygame.Rect(rect.x + pad + label.get_width() + pad // 2, 0, d, d)
    help_rect.centery = rect.y + th // 2 + pad // 2
    pygame.draw.circle(surface, theme.PANEL_EDGE, help_rect.center, d // 2)
    q = fonts.get("bold", int(d * 0.8)).render("?", True, theme.TITLE)
    surface.blit(q, q.get_rect(center=help_rect.center))
    content = pygame.Rect(rect.x + pad, rect.y + th + pad, rect.width - 2 * pad, rect.height - th - 2 * pad)
    return content, help_rect
