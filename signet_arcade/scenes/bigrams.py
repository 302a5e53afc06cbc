"""Learned bigrams: a heatmap of "after this character, how likely is that one", plus sentences.

Rows are the character the model has just seen, columns the one it expects next; brighter tiles
are likelier pairs. Tiles ease towards new values, and the heatmap is re-rendered only while
they are still moving, so a settled panel costs a couple of blits.
"""
from __future__ import annotations

import numpy as np
import pygame

from signet_arcade import fonts
from signet_arcade.scenes import glyphs, theme
from signet_arcade.scenes.labels import LabelCache, draw_placeholder
from signet_arcade.scenes.panel import Panel, clipped_to, text_size
from signet_arcade.scenes.tooltips import wrap
from signet_arcade.snapshot import Snapshot

EASE_RATE = 4.0            # 1/s: tiles cover ~63 % of the way to a new value in a quarter second
REDRAW_THRESHOLD = 0.004   # brightness change below which the cached heatmap is kept
HOVER_MEMORY = 0.3         # s
AXES_NOTE = "Row: this character. Column: the next one."

# A dark-to-bright ramp in the spirit of "inferno": lightness rises steadily, so brighter always
# reads as likelier, and the darkest tile melts into the card.
_RAMP_STOPS = np.array([
    (0.00, 24, 26, 44),
    (0.20, 52, 28, 96),
    (0.45, 142, 42, 112),
    (0.70, 232, 96, 64),
    (0.88, 250, 176, 64),
    (1.00, 252, 246, 180),
], np.float32)
RAMP = np.stack([np.interp(np.linspace(0, 1, 256), _RAMP_STOPS[:, 0], _RAMP_STOPS[:, k])
                 for k in (1, 2, 3)], axis=1).astype(np.uint8)                  # (256, 3)


def brightness(prob: np.ndarray) -> np.ndarray:
    """Tile brightness in [0, 1]: a square root, so the many small probabilities stay visible."""
    return np.sqrt(np.clip(prob, 0.0, 1.0))


def percent_words(p: float) -> str:
    if p < 0.005:
        return "less than a 1%"
    if p > 0.995:
        return "an almost 100%"
    return f"a {round(p * 100)}%"


class BigramsPanel(Panel):
    title = "Learned bigrams"
    help_key = "bigrams"

    def __init__(self, low_power: bool = False) -> None:
        super().__init__(low_power)
        self._chars: tuple = ()
        self._target = np.zeros((0, 0), np.float32)      # (N,N) probabilities from the snapshot
        self._shown = np.zeros((0, 0), np.float32)       # (N,N) eased probabilities on screen
        self._rendered = np.zeros((0, 0), np.float32)    # (N,N) brightness in the cached heatmap
        self._heatmap: pygame.Surface | None = None
        self._heatmap_key: tuple = ()
        self._axis_labels: pygame.Surface | None = None
        self._axis_key: tuple = ()
        self._sentences: pygame.Surface | None = None
        self._sentences_key: tuple = ()
        self._grid = pygame.Rect(0, 0, 0, 0)             # tiles, as last drawn
        self._cell = (0, 0)                              # tile width, height
        self._labels = LabelCache()
        self._hover: tuple[int, int] | None = None
        self._hover_age = HOVER_MEMORY

    # --- animation ------------------------------------------------------------------------------
    def update(self, snap: Snapshot, dt: float) -> None:
        chars, probs = self._read(snap)
        if chars != self._chars:
            self._reseed(chars)
        self._target = probs
        dt = max(dt, 0.0)
        self._shown += (self._target - self._shown) * (1 - np.exp(-EASE_RATE * dt))
        self._hover_age += dt

    @staticmethod
    def _read(snap: Snapshot) -> tuple[tuple, np.ndarray]:
        probs = np.asarray(snap.bigram_probs, dtype=np.float32)
        if probs.ndim != 2 or probs.shape[0] != probs.shape[1]:
            probs = np.zeros((0, 0), np.float32)
        n = min(len(snap.bigram_chars), len(probs))
        return tuple(snap.bigram_chars[:n]), np.clip(np.nan_to_num(probs[:n, :n]), 0.0, 1.0)

    def _reseed(self, chars: tuple) -> None:
        """Pairs we already showed keep their brightness; new pairs fade in from dark."""
        old = {ch: i for i, ch in enumerate(self._chars)}
        shown = np.zeros((len(chars), len(chars)), np.float32)
        kept = [(i, old[ch]) for i, ch in enumerate(chars) if ch in old]
        if kept:
            new_idx, old_idx = map(np.array, zip(*kept))
            shown[np.ix_(new_idx, new_idx)] = self._shown[np.ix_(old_idx, old_idx)]
        self._chars, self._shown = chars, shown
        self._heatmap_key = ()
        self._hover = None

    # --- drawing --------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        with clipped_to(surface, rect):
            if not self._chars:
                self._grid, self._cell = pygame.Rect(0, 0, 0, 0), (0, 0)
                draw_placeholder(surface, rect, "The pairs of characters the model learns will light up here.")
                return
            self._draw_grid_and_sentences(surface, rect, tuple(snap.bigram_sentences))

    def _draw_grid_and_sentences(self, surface: pygame.Surface, rect: pygame.Rect, sentences: tuple) -> None:
        """Heatmap on the left and sentences on the right; sentences below when the rect is narrow."""
        gap = max(8, rect.width // 40)
        if rect.width >= rect.height * 1.45:
            side = int(min(rect.height, rect.width * 0.56))
            words = self._sentences_surface((rect.width - side - gap, rect.height),
                                            text_size(rect, 0.065, smallest=11, largest=32), sentences)
            surface.blit(words, (rect.x + side + gap, rect.y))
            self._draw_grid(surface, pygame.Rect(rect.x, rect.y, side, side))
            return
        words = self._sentences_surface((rect.width, int(rect.height * 0.42)),
                                        text_size(rect, 0.05, smallest=11, largest=28), sentences)
        height = max(0, rect.height - words.get_height() - gap)
        width = min(rect.width, int(height * 1.6))        # tiles may be a little wider than tall, no more
        grid_area = pygame.Rect(rect.centerx - width // 2, rect.y, width, height)
        self._draw_grid(surface, grid_area)
        surface.blit(words, (rect.x, grid_area.bottom + gap))

    def _layout_grid(self, area: pygame.Rect) -> tuple[pygame.Rect, tuple[int, int], int]:
        """(tile rect, (cell width, cell height), label font size or 0 when tiles are too small for labels)."""
        n = len(self._chars)
        shortest = min(area.width, area.height) // (n + 1)
        label_size = int(np.clip(shortest * 0.85, 10, 22)) if shortest >= 8 else 0
        margin = int(label_size * 1.3) if label_size else 0
        cell = (max(1, (area.width - margin) // n), max(1, (area.height - margin) // n))
        return pygame.Rect(area.x + margin, area.y + margin, cell[0] * n, cell[1] * n), cell, label_size

    def _draw_grid(self, surface: pygame.Surface, area: pygame.Rect) -> None:
        grid, cell, label_size = self._layout_grid(area)
        self._grid, self._cell = grid, cell
        surface.blit(self._heatmap_surface(grid.size, cell), grid.topleft)
        if label_size:
            surface.blit(self._axis_labels_surface(area, grid, cell, label_size), area.topleft)
        hover = self._hover if self._hover_age < HOVER_MEMORY else None
        if hover is not None:
            pygame.draw.rect(surface, theme.TITLE, self.tile_rect(*hover).inflate(2, 2), width=1)

    def tile_rect(self, row: int, col: int) -> pygame.Rect:
        """Where the tile (this character, next character) was last drawn."""
        (w, h), grid = self._cell, self._grid
        return pygame.Rect(grid.x + col * w, grid.y + row * h, w, h)

    def _heatmap_surface(self, size: tuple[int, int], cell: tuple[int, int]) -> pygame.Surface:
        level = brightness(self._shown)                                          # (N,N)
        key = (size, cell, len(self._chars))
        stale = key != self._heatmap_key or self._rendered.shape != level.shape
        if stale or np.abs(level - self._rendered).max(initial=0) > REDRAW_THRESHOLD:
            self._heatmap = self._render_heatmap(level, size, cell)
            self._heatmap_key, self._rendered = key, level
        return self._heatmap

    @staticmethod
    def _render_heatmap(level: np.ndarray, size: tuple[int, int], cell: tuple[int, int]) -> pygame.Surface:
        colors = RAMP[np.round(level * 255).astype(np.intp)]                     # (N,N,3) row, col
        tiles = pygame.transform.scale(pygame.surfarray.make_surface(colors.transpose(1, 0, 2)), size)
        smallest = min(cell)
        gap = 0 if smallest < 6 else 1 if smallest < 24 else 2
        for k in range(1, len(level)) if gap else ():   # thin seams in the card's colour
            pygame.draw.line(tiles, theme.PANEL, (k * cell[0], 0), (k * cell[0], size[1]), gap)
            pygame.draw.line(tiles, theme.PANEL, (0, k * cell[1]), (size[0], k * cell[1]), gap)
        return tiles

    def _axis_labels_surface(self, area: pygame.Rect, grid: pygame.Rect, cell: tuple[int, int],
                             size: int) -> pygame.Surface:
        """Row labels to the left, column labels above: visible glyphs, rendered once per layout."""
        key = (area.size, grid.size, cell, size, self._chars)
        if key != self._axis_key:
            labels = pygame.Surface(area.size, pygame.SRCALPHA)
            font = fonts.get("text", size)
            left, top = grid.x - area.x, grid.y - area.y       # the label strips
            for k, ch in enumerate(self._chars):
                glyph = glyphs.render(font, ch, theme.MUTED)
                labels.blit(glyph, glyph.get_rect(center=(left / 2, top + (k + 0.5) * cell[1])))
                labels.blit(glyph, glyph.get_rect(center=(left + (k + 0.5) * cell[0], top / 2)))
            self._axis_labels, self._axis_key = labels, key
        return self._axis_labels

    def _sentences_surface(self, area_size: tuple, size: int, sentences: tuple) -> pygame.Surface:
        """The words as a surface no taller than they need (cached)."""
        key = (area_size, size, sentences)
        if key != self._sentences_key:
            self._sentences = self._render_sentences(area_size, size, sentences)
            self._sentences_key = key
        return self._sentences

    def _render_sentences(self, area_size: tuple, size: int, sentences: tuple) -> pygame.Surface:
        """The axes note, then each sentence word-wrapped; a sentence that does not fit is left out."""
        out = pygame.Surface((max(1, area_size[0]), max(1, area_size[1])), pygame.SRCALPHA)
        if area_size[0] < 40:
            return out.subsurface((0, 0, out.get_width(), 0))
        note_size = max(10, int(size * 0.85))
        y = self._draw_paragraph(out, 0, AXES_NOTE, note_size, theme.MUTED)
        if y:
            y = self._draw_ramp_key(out, y, note_size)
            for sentence in sentences:
                below = self._draw_paragraph(out, y, sentence, size, theme.TEXT)
                if below is None:
                    break
                y = below
        return out.subsurface((0, 0, out.get_width(), min(y or 0, out.get_height())))

    def _draw_paragraph(self, out: pygame.Surface, y: int, text: str, size: int, color: tuple) -> int | None:
        """Word-wrapped text at y; returns the y below it, or None (nothing drawn) if it does not fit."""
        font = fonts.get("text", size)
        lines = wrap(text, font, out.get_width())
        line_h = font.get_linesize()
        if y + line_h * len(lines) > out.get_height():
            return None
        for line in lines:
            out.blit(self._labels.get(line, "text", size, color), (0, y))
            y += line_h
        return y + line_h // 2

    def _draw_ramp_key(self, out: pygame.Surface, y: int, size: int) -> int:
        """'unlikely [dark..bright] likely' under the axes note; returns the y below it."""
        low = self._labels.get("unlikely", "text", size, theme.MUTED)
        high = self._labels.get("likely", "text", size, theme.MUTED)
        bar_w = min(size * 7, out.get_width() - low.get_width() - high.get_width() - size)
        if bar_w < size * 2 or y + low.get_height() > out.get_height():
            return y
        bar_h = max(4, size // 2)
        bar = pygame.transform.smoothscale(pygame.surfarray.make_surface(RAMP[:, None, :]), (bar_w, bar_h))
        x = 0
        row_mid = y + low.get_height() // 2
        out.blit(low, (x, y))
        x += low.get_width() + size // 3
        out.blit(bar, (x, row_mid - bar_h // 2))
        x += bar_w + size // 3
        out.blit(high, (x, y))
        return y + int(low.get_height() * 1.5)

    # --- words ----------------------------------------------------------------------------------
    def _tile_at(self, pos: tuple[int, int]) -> tuple[int, int] | None:
        if not self._grid.collidepoint(pos):
            return None
        n = len(self._chars)
        col = min(n - 1, (pos[0] - self._grid.x) // self._cell[0])
        row = min(n - 1, (pos[1] - self._grid.y) // self._cell[1])
        return int(row), int(col)

    def tooltip_at(self, pos: tuple[int, int]) -> str | None:
        tile = self._tile_at(pos)
        self._hover, self._hover_age = tile, 0.0
        if tile is None:
            return None
        row, col = tile
        now, nxt = glyphs.describe(self._chars[row]), glyphs.describe(self._chars[col])
        return f"After {now} the model gives {nxt} {percent_words(float(self._target[row, col]))} chance."
