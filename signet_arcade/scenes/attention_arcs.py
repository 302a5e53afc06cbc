"""Attention: arcs from each character of the last sample to the earlier characters it looks at.

One colour per head, thickness = weight. Arcs are drawn once per head onto their own layer when
the data, the size, the layer or the focus change (new data one head per frame), the shown heads
are merged into one surface, and each frame only blits that with a gently pulsing opacity, so
the panel stays cheap however many arcs it shows.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pygame

from signet_arcade import fonts
from signet_arcade.scenes import glyphs, theme
from signet_arcade.scenes.labels import LabelCache, draw_placeholder
from signet_arcade.scenes.panel import Panel, clipped_to, text_size
from signet_arcade.snapshot import Snapshot

MIN_WEIGHT = 0.08          # arcs fainter than this are noise to the eye
STAND_OUT = 1.5            # ... and so are arcs no stronger than 1.5x evenly spread attention
ARCS_PER_CHARACTER = 3     # per head: the strongest few keys each character looks at
PULSE_HZ = 0.35
PULSE_DEPTH = 0.22         # opacity swings between 1 - depth and 1
FADED_ALPHA = 26           # arcs of other characters while one is focused
SUPERSAMPLE = 2            # arcs are drawn this much larger, then smoothly scaled down
MIN_CELL = 14              # px: the narrowest a character may be drawn; longer texts keep their end


def head_color(head: int) -> tuple:
    return theme.HEAD_COLORS[head % len(theme.HEAD_COLORS)]


@lru_cache(maxsize=64)
def _semicircle(segments: int) -> tuple[np.ndarray, np.ndarray]:
    angle = np.linspace(0, np.pi, segments + 1)
    return -np.cos(angle), np.sin(angle)      # (segments+1,) each: left end to right end, up


class AttentionPanel(Panel):
    title = "Attention"
    help_key = "attention"

    def __init__(self, low_power: bool = False) -> None:
        super().__init__(low_power)
        self._text = ""                                        # characters, aligned with the weights
        self._weights = np.zeros((0, 0, 0, 0), np.float32)     # (L,H,n,n) row = query, column = key
        self._source = None                                    # the snapshot array last read ...
        self._text_source = None                               # ... and its text
        self._version = 0                                      # bumps when the weights change
        self.layer = 0
        self.heads_on: list[bool] = []
        self.focus: int | None = None                          # index into _text
        self._phase = 0.0
        self._labels = LabelCache()
        # geometry of the last draw, for clicks and tooltips
        self._rect = pygame.Rect(0, 0, 0, 0)
        self.arc_rect = pygame.Rect(0, 0, 0, 0)
        self._row = pygame.Rect(0, 0, 0, 0)
        self._first = 0                                        # index of the first visible character
        self._cell = 0.0
        self._font_size = 10
        self._chips: list[tuple[pygame.Rect, str, int]] = []   # (rect, "head" | "layer", index)
        self._chip_offsets: list[tuple[pygame.Rect, str, int]] = []   # the same, relative to the rect
        self._chips_surface: pygame.Surface | None = None
        self._chips_key: tuple = ()
        self._head_layers: list[pygame.Surface | None] = []    # one per head, as shown
        self._layers_key: tuple = ()
        self._links: list[list[tuple[float, int, int]]] = []   # per head: the arcs to draw
        self._reach = 1.0
        self._fresh: list[pygame.Surface | None] = []          # new layers being built ...
        self._todo: list[int] = []                             # ... and the heads still to build
        self._composite_surface: pygame.Surface | None = None
        self._composite_key: tuple = ()
        self._row_surface: pygame.Surface | None = None
        self._row_key: tuple = ()

    # --- state ----------------------------------------------------------------------------------
    def update(self, snap: Snapshot, dt: float) -> None:
        self._phase += max(dt, 0.0)
        if snap.attention is self._source and snap.attention_text == self._text_source:
            return
        self._source, self._text_source = snap.attention, snap.attention_text
        text, weights = self._read(snap)
        if text == self._text and weights.shape == self._weights.shape and np.array_equal(weights, self._weights):
            return
        if text != self._text:
            self.focus = None
        if weights.shape[:2] != self._weights.shape[:2]:
            self.heads_on = [True] * weights.shape[1]
            self.layer = max(0, weights.shape[0] - 1)      # the last layer: closest to the output
        self._text, self._weights = text, weights
        self._version += 1

    @staticmethod
    def _read(snap: Snapshot) -> tuple[str, np.ndarray]:
        weights = np.asarray(snap.attention, dtype=np.float32)
        if weights.ndim != 4 or weights.shape[2] != weights.shape[3] or 0 in weights.shape[:2]:
            return "", np.zeros((0, 0, 0, 0), np.float32)
        t = weights.shape[-1]
        n = min(len(snap.attention_text), t)
        # the weights describe the last n characters when the text is longer than the window
        return snap.attention_text[len(snap.attention_text) - n:], np.nan_to_num(weights[:, :, t - n:, t - n:])

    # --- drawing --------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        with clipped_to(surface, rect):
            self._rect = pygame.Rect(rect)
            if not self._text or not self.heads_on:
                self._chips, self._cell = [], 0.0
                self._row, self.arc_rect = pygame.Rect(0, 0, 0, 0), pygame.Rect(0, 0, 0, 0)
                draw_placeholder(surface, rect, "When the model writes, arcs will show which earlier "
                                                "characters each one looks back at.")
                return
            chip_bottom = self._draw_chips(surface, rect)
            self._layout_row(rect)
            self.arc_rect = pygame.Rect(rect.x, chip_bottom, rect.width, max(0, self._row.y - chip_bottom))
            self._draw_arcs(surface)
            self._draw_row(surface)

    def _layout_row(self, rect: pygame.Rect) -> None:
        n = len(self._text)
        visible = max(1, min(n, rect.width // MIN_CELL))
        self._first = n - visible
        size_cap = text_size(rect, 0.11, smallest=11, largest=40)
        self._cell = min(rect.width / visible, size_cap * 1.6)
        self._font_size = int(np.clip(self._cell * 0.95, 10, size_cap))
        height = int(fonts.get("mono", self._font_size).get_linesize() * 1.25)
        width = int(self._cell * visible)
        self._row = pygame.Rect(rect.centerx - width // 2, rect.bottom - height, width, height)

    def _char_x(self, index: int) -> float:
        return self._row.x + (index - self._first + 0.5) * self._cell

    # arcs ---------------------------------------------------------------------------------------
    def _draw_arcs(self, surface: pygame.Surface) -> None:
        key = (self._version, self.layer, self.arc_rect.size, self._row.x - self.arc_rect.x,
               self._first, self._cell, self.focus)
        if key != self._layers_key:
            # new data is phased in one head per frame (no frame pays for all of them); anything a
            # visitor did, or a new size, is drawn at once
            gradual = key[1:] == self._layers_key[1:]
            self._links = [self._strong_links(h) for h in range(len(self.heads_on))]
            spans = [query - k for links in self._links for _, query, k in links]
            self._reach = max(spans, default=1) * self._cell / 2     # the widest arc's half-width
            self._layers_key, self._todo = key, list(range(len(self.heads_on)))
            self._fresh = [None] * len(self.heads_on)
            while self._todo and not gradual and self.arc_rect.height >= 4:
                self._build_next_head()
        if self.arc_rect.height < 4:
            return
        if not any(self._links):
            draw_placeholder(surface, self.arc_rect, "No strong links yet: attention is still spread evenly.")
            return
        if self._todo:
            self._build_next_head()
        composite = self._composite()
        pulse = 1 - PULSE_DEPTH * 0.5 * (1 + np.sin(2 * np.pi * PULSE_HZ * self._phase))
        composite.set_alpha(int(255 * pulse))
        surface.blit(composite, self.arc_rect.topleft)

    def _build_next_head(self) -> None:
        head = self._todo.pop(0)
        self._fresh[head] = self._render_head(head)
        if not self._todo:
            self._head_layers, self._composite_key = self._fresh, ()

    def _composite(self) -> pygame.Surface:
        """The shown heads' layers on one surface, so a frame costs a single blit."""
        key = tuple(self.heads_on)
        if key != self._composite_key:
            self._composite_surface = pygame.Surface(self.arc_rect.size, pygame.SRCALPHA)
            for layer, on in zip(self._head_layers, self.heads_on):
                if on and layer is not None:
                    self._composite_surface.blit(layer, (0, 0))
            self._composite_key = key
        return self._composite_surface

    def _strong_links(self, head: int) -> list[tuple[float, int, int]]:
        """(weight, query, key) of the arcs worth drawing for one head, weakest first."""
        first = self._first
        w = np.tril(self._weights[self.layer, head, first:, first:], k=-1)       # (v,v) earlier keys only
        keys = np.argsort(w, axis=1)[:, -ARCS_PER_CHARACTER:]                      # (v,k)
        # a query at absolute position q spreads its attention over q + 1 characters
        floor = np.minimum(0.5, np.maximum(MIN_WEIGHT, STAND_OUT / (np.arange(len(w)) + first + 1)))  # (v,)
        links = [(float(w[q, k]), q + first, int(k) + first)
                 for q in range(len(w)) for k in keys[q] if w[q, k] > floor[q]]
        return sorted(links)

    def _render_head(self, head: int) -> pygame.Surface:
        """One head's arcs; on the full profile drawn larger and scaled down, for smooth edges."""
        scale = 1 if self.low_power else SUPERSAMPLE
        size = self.arc_rect.size
        color = head_color(head)
        layer = pygame.Surface((size[0] * scale, size[1] * scale), pygame.SRCALPHA)
        layer.fill((*color, 0))     # transparent pixels carry the colour: no dark fringe when scaled
        links = self._links[head]
        if not links:
            return pygame.transform.smoothscale(layer, size) if scale > 1 else layer
        weight, query, key = (np.array(column) for column in zip(*links))       # (n,) each
        x0 = self._row.x - self.arc_rect.x + (key - self._first + 0.5) * self._cell
        half = (query - key) * self._cell / 2
        lift = 1 - 0.06 * (head % 4)            # heads nest slightly, so overlapping arcs stay apart
        height = (size[1] - 8) * lift * (half / self._reach) ** 0.75             # the widest arc stands tallest
        base = size[1] - 3
        cos, sin = _semicircle(12 if self.low_power else 28)
        points = np.stack([x0[:, None] + half[:, None] * (1 + cos), base - height[:, None] * sin],
                          axis=2) * scale                                         # (n, segments+1, 2)
        thickest = float(np.clip(self._cell * 0.3, 2, 9))
        width = 1 + weight * (thickest - 1)                                        # (n,)
        focused = (query == self.focus) if self.focus is not None else np.ones(len(links), bool)
        paths = points.tolist()
        styles = [("faded", ~focused)] + ([] if self.low_power else [("glow", focused)]) + [("crisp", focused)]
        for style, chosen in styles:
            for i in np.flatnonzero(chosen):
                if style == "faded":
                    w, alpha = 1.0, FADED_ALPHA
                elif style == "glow":
                    w, alpha = width[i] + 5, int(24 + 36 * weight[i])
                else:
                    w, alpha = width[i], int(110 + 145 * weight[i])
                pygame.draw.lines(layer, (*color, alpha), False, paths[i], max(1, round(w * scale)))
                if style == "crisp" and self.focus is not None:   # where the focused character looks
                    pygame.draw.circle(layer, (*color, alpha), paths[i][0], (w + 1.5) * scale)
        return pygame.transform.smoothscale(layer, size) if scale > 1 else layer

    # characters ---------------------------------------------------------------------------------
    def _draw_row(self, surface: pygame.Surface) -> None:
        key = (self._text, self._row.size, self._first, self._cell, self._font_size, self.focus,
               tuple(self.heads_on), self.layer, self._version)
        if key != self._row_key:
            self._row_surface = self._render_row()
            self._row_key = key
        surface.blit(self._row_surface, self._row.topleft)

    def _render_row(self) -> pygame.Surface:
        row = pygame.Surface(self._row.size, pygame.SRCALPHA)
        font = fonts.get("mono", self._font_size)
        looked_at = self._focus_targets()
        for index in range(self._first, len(self._text)):
            centre = (self._char_x(index) - self._row.x, self._row.height / 2)
            color = theme.TEXT if self.focus is None else theme.MUTED
            if index == self.focus:
                pill = pygame.Rect(0, 0, int(self._cell) - 2, self._row.height - 2)
                pill.center = centre
                pygame.draw.rect(row, theme.PANEL_EDGE, pill, border_radius=max(2, pill.width // 4))
                color = theme.TITLE
            elif index in looked_at:
                color = head_color(looked_at[index])
            elif glyphs.is_drawn_symbol(self._text[index]):
                color = theme.FAINT           # spaces and line ends recede, so the words stand out
            glyph = glyphs.render(font, self._text[index], color)
            row.blit(glyph, glyph.get_rect(center=centre))
        return row

    def _focus_targets(self) -> dict[int, int]:
        """Characters the focused one looks at (its drawn arcs) -> the shown head that looks hardest."""
        strongest: dict[int, tuple[float, int]] = {}
        for head, links in enumerate(self._links):
            for weight, query, key in links:
                if query == self.focus and self.heads_on[head] and weight > strongest.get(key, (0.0, 0))[0]:
                    strongest[key] = (weight, head)
        return {key: head for key, (_, head) in strongest.items()}

    # chips --------------------------------------------------------------------------------------
    def _draw_chips(self, surface: pygame.Surface, rect: pygame.Rect) -> int:
        """Head toggles (and a layer switch when there is more than one); returns the y below them."""
        size = text_size(rect, 0.06, smallest=10, largest=28)
        height = int(size * 1.6)
        key = (rect.width, size, tuple(self.heads_on), self.layer, self._weights.shape[0])
        if key != self._chips_key:
            self._chips_surface, chips = self._render_chips(rect.width, size, height)
            self._chips_key, self._chip_offsets = key, chips
        self._chips = [(chip.move(rect.topleft), kind, index) for chip, kind, index in self._chip_offsets]
        surface.blit(self._chips_surface, rect.topleft)
        return rect.y + height + size // 2

    def _render_chips(self, width: int, size: int, height: int) -> tuple[pygame.Surface, list]:
        out = pygame.Surface((width, height), pygame.SRCALPHA)
        pad, dot = size // 2, max(3, size // 3)
        layers = self._weights.shape[0]
        specs = [("head", h, f"head {h + 1}", f"{h + 1}") for h in range(len(self.heads_on))]
        if layers > 1:
            specs.append(("layer", self.layer, f"layer {self.layer + 1}/{layers}", f"L{self.layer + 1}"))
        compact = sum(2 * pad + 3 * dot + self._labels.get(full, "text", size, theme.TEXT).get_width()
                      for _, _, full, _ in specs) + pad * len(specs) > width
        x, chips = 0, []
        for kind, index, full, short in specs:
            on = kind == "layer" or self.heads_on[index]
            color = head_color(index) if kind == "head" else theme.MUTED
            label = self._labels.get(short if compact else full, "text", size, theme.TEXT if on else theme.MUTED)
            chip = pygame.Rect(x, 0, 2 * pad + (3 * dot if kind == "head" else 0) + label.get_width(), height)
            fill = theme.lerp(theme.PANEL, color, 0.22) if on and kind == "head" else theme.PANEL
            pygame.draw.rect(out, fill, chip, border_radius=height // 2)
            pygame.draw.rect(out, color if on else theme.PANEL_EDGE, chip, width=1, border_radius=height // 2)
            text_x = chip.x + pad
            if kind == "head":
                pygame.draw.circle(out, color if on else theme.PANEL_EDGE, (text_x + dot, chip.centery), dot,
                                   width=0 if on else 1)
                text_x += 3 * dot
            out.blit(label, label.get_rect(midleft=(text_x, chip.centery)))
            chips.append((chip, kind, index))
            x = chip.right + pad
        return out, chips

    def head_chip_rect(self, head: int) -> pygame.Rect | None:
        """Where the toggle for `head` was last drawn."""
        return next((chip for chip, kind, index in self._chips if kind == "head" and index == head), None)

    def char_center(self, index: int) -> tuple[int, int] | None:
        """Centre of character `index` of the attention text as last drawn (None if not shown)."""
        if not self._cell or not self._first <= index < len(self._text):
            return None
        return int(self._char_x(index)), self._row.centery

    # --- input ----------------------------------------------------------------------------------
    def _chip_at(self, pos) -> tuple[str, int] | None:
        for chip, kind, index in self._chips:
            if chip.collidepoint(pos):
                return kind, index
        return None

    def _char_at(self, pos) -> int | None:
        if not self._cell or not self._row.inflate(0, self._row.height // 2).collidepoint(pos):
            return None
        index = self._first + int((pos[0] - self._row.x) // self._cell)
        return index if self._first <= index < len(self._text) else None

    def click(self, pos: tuple[int, int]) -> bool:
        chip = self._chip_at(pos)
        if chip is not None:
            kind, index = chip
            if kind == "head":
                self.heads_on[index] = not self.heads_on[index]
            else:
                self.layer = (self.layer + 1) % self._weights.shape[0]
            return True
        index = self._char_at(pos)
        if index is not None:
            self.focus = None if index == self.focus else index
            return True
        if self.focus is not None and self._rect.collidepoint(pos):
            self.focus = None
            return True
        return False

    def tooltip_at(self, pos: tuple[int, int]) -> str | None:
        chip = self._chip_at(pos)
        if chip is not None:
            kind, index = chip
            if kind == "layer":
                layers = self._weights.shape[0]
                return (f"Showing layer {index + 1} of {layers}. "
                        f"Click to see layer {(index + 1) % layers + 1}.")
            shown = self.heads_on[index]
            return (f"Head {index + 1} is {'shown' if shown else 'hidden'}. "
                    f"Click to {'hide' if shown else 'show'} its arcs.")
        index = self._char_at(pos)
        return None if index is None else self._describe_character(index)

    def _describe_character(self, index: int) -> str:
        me = glyphs.describe(self._text[index])
        me = me[:1].upper() + me[1:]
        click = " Click again to see every arc." if index == self.focus else " Click to show only its arcs."
        if index == 0:
            return f"{me} is the first character here: there is nothing before it to look at."
        if not any(self.heads_on):
            return f"Turn on a head to see where {glyphs.describe(self._text[index])} looks."
        w = self._weights[self.layer, :, index, :index] * np.array(self.heads_on)[:, None]   # (H,index)
        heads = w.argmax(0)                                    # (index,) the head that looks hardest
        parts = []
        for key in np.argsort(w.max(0), kind="stable")[::-1][:2]:
            key, head = int(key), int(heads[key])
            back = index - key
            where = "just before it" if back == 1 else f"{back} characters back"
            parts.append(f"{glyphs.describe(self._text[key])}, {where} (head {head + 1}, "
                         f"{round(float(w[head, key]) * 100)}%)")
        return f"{me} pays most attention to " + ", and to ".join(parts) + "." + click
