"""Where everything goes, for any window from 800x480 to 4K.

The window is split into a control sidebar on the left, a status line along the bottom and a grid
of six panels. The grid's shape (3x2, 2x3, 6x1 or 1x6) is chosen so each panel comes out closest to
a pleasant landscape card; rectangles never overlap and never leave the window.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

# Panel order everywhere: the app builds its panels in this order and draws them into these rects.
PANEL_NAMES = ("sample", "loss", "next_token", "embeddings", "bigrams", "attention")

_GRIDS = ((3, 2), (2, 3), (6, 1), (1, 6))     # (columns, rows)
_PLEASANT_ASPECT = 1.45                        # width / height a panel looks best at
COMPACT_HEIGHT = 640                           # below this the controls pack tightly


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    sidebar: pygame.Rect
    status: pygame.Rect
    panels: tuple[pygame.Rect, ...]           # one per PANEL_NAMES entry
    gap: int
    scale: float                               # 1.0 at 720p; fonts and controls grow with it
    compact: bool                              # the window is short: controls pack tightly

    def panel(self, name: str) -> pygame.Rect:
        return self.panels[PANEL_NAMES.index(name)]


def ui_scale(width: int, height: int) -> float:
    """How much bigger than at 1280x720 text and controls should be (never below 0.8)."""
    return max(0.8, min(width / 1280, height / 720, 3.0))


def compute_layout(width: int, height: int) -> Layout:
    width, height = max(1, int(width)), max(1, int(height))
    scale = ui_scale(width, height)
    gap = max(4, round(8 * scale))
    status_h = max(26, round(34 * scale))
    sidebar_w = max(232, min(round(width * 0.22), round(300 * scale)))
    sidebar_w = min(sidebar_w, max(1, width - 2 * gap - 160))   # a very narrow window still shows panels

    status = pygame.Rect(gap, height - gap - status_h, width - 2 * gap, status_h)
    top = gap
    body_h = max(1, status.top - gap - top)
    sidebar = pygame.Rect(gap, top, sidebar_w, body_h)
    area = pygame.Rect(sidebar.right + gap, top, max(1, width - sidebar.right - 2 * gap), body_h)
    return Layout(size=(width, height), sidebar=sidebar, status=status,
                  panels=_grid(area, gap), gap=gap, scale=scale, compact=height < COMPACT_HEIGHT)


def _grid(area: pygame.Rect, gap: int) -> tuple[pygame.Rect, ...]:
    def misfit(grid):
        cols, rows = grid
        w = (area.width - gap * (cols - 1)) / cols
        h = (area.height - gap * (rows - 1)) / rows
        return abs(math.log(max(w, 1) / max(h, 1) / _PLEASANT_ASPECT))

    cols, rows = min(_GRIDS, key=misfit)
    rects = []
    for i in range(len(PANEL_NAMES)):
        c, r = i % cols, i // cols
        # Integer edges from the same formula for neighbours, so gaps are exact and nothing overlaps.
        x0 = area.x + (area.width + gap) * c // cols
        x1 = area.x + (area.width + gap) * (c + 1) // cols - gap
        y0 = area.y + (area.height + gap) * r // rows
        y1 = area.y + (area.height + gap) * (r + 1) // rows - gap
        rects.append(pygame.Rect(x0, y0, max(1, x1 - x0), max(1, y1 - y0)))
    return tuple(rects)
