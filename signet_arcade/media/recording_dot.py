"""The pulsing red "REC" badge shown while recording (drawn after capture, so never recorded)."""
from __future__ import annotations

import math

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme

PULSE_PERIOD_S = 1.4


def badge_margin(surface: pygame.Surface) -> int:
    return max(8, surface.get_height() // 60)


def draw_recording_dot(surface: pygame.Surface, t: float) -> pygame.Rect:
    """Draw the badge in the top-right corner at time `t` (seconds); returns its rectangle."""
    h = surface.get_height()
    radius = max(6, h // 72)
    margin = badge_margin(surface)
    label = fonts.get("bold", int(radius * 2.4)).render("REC", True, theme.TITLE)
    pad = radius
    badge = pygame.Rect(0, 0, pad + 2 * radius + pad + label.get_width() + pad,
                        max(label.get_height(), 2 * radius) + pad)
    badge.topright = (surface.get_width() - margin, margin)

    pulse = 0.5 + 0.5 * math.sin(2 * math.pi * t / PULSE_PERIOD_S)   # 0..1
    layer = pygame.Surface(badge.size, pygame.SRCALPHA)
    pygame.draw.rect(layer, (*theme.BACKGROUND, 200), layer.get_rect(), border_radius=badge.height // 2)
    pygame.draw.rect(layer, (*theme.PANEL_EDGE, 220), layer.get_rect(), width=1, border_radius=badge.height // 2)
    centre = (pad + radius, badge.height // 2)
    pygame.draw.circle(layer, (*theme.RECORDING, int(40 + 70 * pulse)), centre, int(radius * (1.35 + 0.35 * pulse)))
    pygame.draw.circle(layer, (*theme.RECORDING, 255), centre, radius)
    layer.blit(label, label.get_rect(midleft=(pad + 2 * radius + pad, badge.height // 2)))
    surface.blit(layer, badge)
    return badge
