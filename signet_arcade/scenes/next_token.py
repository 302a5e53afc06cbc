"""Next token: one bar per character of the vocabulary, gliding towards the model's current guess.

Bars keep the vocabulary's order, so a bar that grows is always the same character; the few
likeliest ones are labelled with their glyph and percentage.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from signet_arcade import fonts
from signet_arcade.scenes import glyphs, theme
from signet_arcade.scenes.labels import LabelCache, draw_placeholder
from signet_arcade.scenes.panel import Panel, clipped_to, text_size
from signet_arcade.snapshot import Snapshot

PLACEHOLDER = "The model's guesses for the next character appear here"
EASE_PER_S = 7.0                 # how fast bars close the gap to new values (1/e in ~0.14 s)
SCALES = (0.1, 0.25, 0.5, 1.0)   # the bar area's top, as a probability: the smallest that fits
CONTEXT_CHARS = 16               # at most this many characters of context are shown
MAX_LABELS = 5
_SHADES = 12                     # bar colours are picked from a small precomputed ramp


class NextTokenPanel(Panel):
    title = "Next token"
    help_key = "next_token"

    def __init__(self, low_power: bool = False):
        super().__init__(low_power)
        self._labels = LabelCache()
        self._heights = np.zeros(0)          # (V,) eased probabilities being drawn
        self._scale = 1.0                    # eased top of the bar area (a probability)
        self._ramp = [theme.lerp(theme.BAR_LOW, theme.BAR_HIGH, i / (_SHADES - 1)) for i in range(_SHADES)]
        self._bars: tuple | None = None      # (left x, pitch, bottom y, count) of the last drawing
        self._backdrop: _Backdrop | None = None
        self._backdrop_key: tuple = ()
        self._vocab: tuple = ()
        self._probs = np.zeros(0)

    # --- animation ------------------------------------------------------------------------
    def update(self, snap: Snapshot, dt: float) -> None:
        target = _clean(snap.next_probs, len(snap.vocab))
        if target.shape != self._heights.shape:
            self._heights = np.zeros_like(target)     # a new vocabulary: bars grow from nothing
        keep = math.exp(-max(0.0, dt) * EASE_PER_S)
        self._heights = target + (self._heights - target) * keep
        wanted = next((s for s in SCALES if target.size and target.max() <= s), 1.0)
        self._scale = wanted + (self._scale - wanted) * keep

    # --- drawing ----------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        rect = pygame.Rect(rect)
        if rect.width < 4 or rect.height < 4:
            return
        with clipped_to(surface, rect):
            probs = _clean(snap.next_probs, len(snap.vocab))
            self._vocab, self._probs = snap.vocab, probs
            if probs.size == 0 or probs.shape != self._heights.shape:
                self._bars = None
                draw_placeholder(surface, rect, PLACEHOLDER)
            else:
                key = (snap.vocab, snap.next_context, rect.size)
                if self._backdrop is None or self._backdrop_key != key:
                    self._backdrop, self._backdrop_key = _Backdrop(snap.vocab, snap.next_context, rect.size), key
                self._draw_bars(surface, rect, self._backdrop, probs)

    def _draw_bars(self, surface, rect: pygame.Rect, backdrop: "_Backdrop", probs: np.ndarray) -> None:
        # only the context line and the floor strip hold pixels: blit those, not the empty middle
        surface.blit(backdrop.surface, rect.topleft, (0, 0, rect.width, backdrop.top))
        floor = pygame.Rect(0, backdrop.bottom, rect.width, rect.height - backdrop.bottom)
        surface.blit(backdrop.surface, (rect.x, rect.y + floor.y), floor)
        left, bottom = rect.x, rect.y + backdrop.bottom
        self._bars = (left, backdrop.pitch, bottom, probs.size)
        self._draw_scale_line(surface, rect, backdrop)
        heights = np.rint(np.clip(self._heights / self._scale, 0.0, 1.0) * backdrop.tallest).astype(int)  # (V,) px
        shades = np.minimum((self._heights / self._scale * (_SHADES - 1)).astype(int), _SHADES - 1)
        shades[int(np.argmax(probs))] = _SHADES - 1                  # the favourite always shines
        radius = 3 if backdrop.pitch >= 8 else 0
        for x, w, h, shade in zip(backdrop.bar_x.tolist(), backdrop.bar_w.tolist(), heights.tolist(), shades.tolist()):
            if h > 0:
                pygame.draw.rect(surface, self._ramp[shade], (left + x, bottom - h, w, h),
                                 border_top_left_radius=radius, border_top_right_radius=radius)
        self._draw_top_labels(surface, rect, backdrop, heights, probs)

    def _draw_scale_line(self, surface, rect: pygame.Rect, backdrop: "_Backdrop") -> None:
        """A faint dashed line at the top of the scale, labelled, so bar heights can be read."""
        top = min(SCALES, key=lambda s: abs(s - self._scale))
        y = int(rect.y + backdrop.bottom - top / self._scale * backdrop.tallest)
        if y < rect.y + backdrop.top:
            return
        surface.blit(backdrop.dashes, (rect.x, y))
        label = self._labels.get(f"{round(top * 100)}%", "text", max(9, backdrop.font_size - 3), theme.FAINT)
        surface.blit(label, label.get_rect(bottomright=(rect.right, y - 1)))

    def _draw_top_labels(self, surface, rect, backdrop: "_Backdrop", heights, probs) -> None:
        """Glyph and percentage above the likeliest bars, in rank order. A label floats above
        every bar it spans and above labels already placed; a faint line leads down to its bar."""
        mono = fonts.get("mono", backdrop.font_size)
        left, bottom, pitch = rect.x, rect.y + backdrop.bottom, backdrop.pitch
        area = pygame.Rect(rect.x, rect.y + backdrop.top, rect.width, backdrop.bottom - backdrop.top)
        taken: list[pygame.Rect] = []
        for rank, i in enumerate(np.argsort(-probs, kind="stable")[:MAX_LABELS]):
            if probs[i] < 0.02 and rank > 0:
                break
            color = theme.TITLE if rank == 0 else theme.TEXT
            glyph = glyphs.render(mono, self._vocab[i], color)
            pct = self._labels.get(f"{round(100 * float(probs[i]))}%", "text", max(9, backdrop.font_size - 2),
                                   theme.MUTED)
            box = pygame.Rect(0, 0, glyph.get_width() + 3 + pct.get_width(), max(glyph.get_height(), pct.get_height()))
            bar_x = int(left + (i + 0.5) * pitch)
            box.centerx = bar_x
            box.clamp_ip(area)
            first, last = int((box.left - left) // pitch), int((box.right - left) // pitch) + 1
            box.bottom = bottom - int(heights[max(0, first):max(first + 1, last)].max()) - 2
            for other in sorted(taken, key=lambda r: -r.bottom):
                if box.colliderect(other):
                    box.bottom = other.top - 1
            if box.top < area.top:
                continue
            taken.append(box)
            bar_top = bottom - int(heights[i])
            if bar_top - box.bottom > 4:
                pygame.draw.line(surface, theme.GRID, (bar_x, box.bottom + 1), (bar_x, bar_top - 2))
            surface.blit(glyph, glyph.get_rect(midleft=box.midleft))
            surface.blit(pct, pct.get_rect(midright=box.midright))

    # --- pointer ----------------------------------------------------------------------------
    def tooltip_at(self, pos: tuple[int, int]) -> str | None:
        if self._bars is None:
            return None
        left, pitch, bottom, count = self._bars
        i = int((pos[0] - left) // pitch)
        if not (0 <= i < count) or pos[1] > bottom + 20 or i >= len(self._vocab):
            return None
        return (f"The model thinks {glyphs.describe(self._vocab[i])} comes next with a "
                f"{round(100 * float(self._probs[i]))}% chance.")


class _Backdrop:
    """What only changes with the vocabulary, the context or the size, rendered once: the
    context line, the bars' floor and the characters under the bars; plus the bars' geometry."""

    def __init__(self, vocab: tuple, context: str, size: tuple[int, int]):
        width, height = size
        self.surface = pygame.Surface(size, pygame.SRCALPHA)
        self.font_size = text_size(pygame.Rect((0, 0), size), 0.08, 10, 32)
        self.top = self._draw_context(context) if height >= 60 else 0
        count = len(vocab)
        small = fonts.get("mono", max(9, self.font_size - 3))
        self.pitch = width / count
        axis_h = small.get_linesize() if self.pitch >= small.size("M")[0] + 1 else 0
        self.bottom = height - axis_h
        self.tallest = max(1, self.bottom - self.top - fonts.get("text", self.font_size).get_linesize())
        edges = np.rint(np.arange(count + 1) * self.pitch).astype(int)                  # (V+1,)
        gap = 1 if self.pitch >= 4 else 0
        self.bar_x = edges[:-1]                                                           # (V,)
        self.bar_w = np.maximum(1, np.diff(edges) - gap)                                  # (V,)
        pygame.draw.line(self.surface, theme.GRID, (0, self.bottom), (width, self.bottom))
        if axis_h:
            for i, ch in enumerate(vocab):
                glyph = glyphs.render(small, ch, theme.MUTED)
                self.surface.blit(glyph, glyph.get_rect(midtop=((i + 0.5) * self.pitch, self.bottom + 1)))
        self.dashes = pygame.Surface((width, 1), pygame.SRCALPHA)
        for x in range(0, width, 8):
            pygame.draw.line(self.dashes, theme.GRID, (x, 0), (min(x + 4, width), 0))

    def _draw_context(self, context: str) -> int:
        """'after  …the ca▮' with spaces and newlines made visible; returns the height used."""
        width = self.surface.get_width()
        lead = fonts.get("text", self.font_size).render("after", True, theme.MUTED)
        mono = fonts.get("mono", self.font_size)
        advance = mono.size("M")[0]
        room = (width - lead.get_width() - 3 * advance) // advance
        shown = context[-min(CONTEXT_CHARS, room):] if room > 0 else ""
        x = lead.get_width() + advance // 2
        y = (lead.get_height() - mono.get_height()) // 2
        self.surface.blit(lead, (0, 0))
        if len(shown) < len(context):
            self.surface.blit(glyphs.render(mono, "…", theme.FAINT), (x, y))
            x += advance
        for ch in shown:
            color = theme.MUTED if glyphs.is_drawn_symbol(ch) else theme.TEXT
            self.surface.blit(glyphs.render(mono, ch, color), (x, y))
            x += advance
        pygame.draw.rect(self.surface, theme.MODERATE,
                         (x + 2, y + mono.get_height() // 6, max(2, advance // 5), mono.get_height() * 2 // 3))
        return lead.get_height() + self.font_size // 2


def _clean(probs, vocab_size: int) -> np.ndarray:
    """Probabilities as float64, trimmed to the vocabulary, with NaN/inf treated as 0."""
    p = np.asarray(probs, dtype=np.float64).ravel()[:vocab_size]
    return np.where(np.isfinite(p), np.clip(p, 0.0, 1.0), 0.0)
