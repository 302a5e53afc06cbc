"""What the model writes: each new sample typed out with a soft glow, coloured by confidence.

Everything that depends only on the sample and the rectangle's size (word wrap, the coloured
text layer, its blurred glow) is rendered once into a `_Page`; a frame then only blits the part
that has been "typed" so far.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pygame

from signet_arcade import fonts
from signet_arcade.scenes import glyphs, theme
from signet_arcade.scenes.labels import LabelCache, draw_placeholder
from signet_arcade.scenes.panel import Panel, clipped_to, text_size
from signet_arcade.snapshot import Sample, Snapshot

TYPE_CHARS_PER_S = 280      # a 200-character sample appears in about 0.7 s
HOLD_S = 2.5                # a finished sample stays at least this long, so it can be read
FRESH_CHARS = 6             # the last few typed characters glow brighter: the pen's tip
GLOW_STRENGTH = 150         # 0..255: how much of the blurred text is added back as glow
SMALLEST_FONT = 10
PLACEHOLDER = "Press Train and the model's writing will appear here"
_TOKENS = re.compile(r"\n|\t| |[^\n\t ]+")


@dataclass
class _Grid:
    """Where each character of a sample sits on a monospaced grid."""

    cells: list            # (row, col) per character
    row_ends: list         # per row: number of cells used (so a row can be blitted in one go)
    rows: int


def grid_layout(text: str, cols: int) -> _Grid:
    """Word-wrap `text` onto `cols` columns: words move whole to the next row when they do not
    fit (a word longer than a row is cut), a newline ends its row after its ↵ mark, and a space
    that falls at the end of a row hangs off the edge instead of starting the next one."""
    cols = max(1, cols)
    cells, row_ends = [], [0]
    row = col = 0

    def new_row():
        nonlocal row, col
        row, col = row + 1, 0
        row_ends.append(0)

    for token in _TOKENS.findall(text):
        if token == "\n":
            cells.append((row, col))
            row_ends[row] = col + 1
            new_row()
            continue
        if token in (" ", "\t"):
            cells.append((row, col))
            col += 1
            if col >= cols:
                new_row()
            continue
        if col > 0 and col + len(token) > cols:
            new_row()
        for _ in token:
            if col >= cols:
                new_row()
            cells.append((row, col))
            col += 1
            row_ends[row] = col
    rows = row + 1 if col > 0 or row_ends[row] else row
    return _Grid(cells, row_ends, max(rows, 1))


class _Page:
    """A sample rendered for one size: the text layer, its glow, and where every character is."""

    def __init__(self, sample: Sample, size: tuple[int, int], with_glow: bool):
        width, height = size
        self.font_size = _fitting_font_size(sample.text, width, height)
        font = fonts.get("mono", self.font_size)
        self.advance = max(1, font.size("M")[0])
        self.line_h = max(1, font.get_linesize())
        self.grid = grid_layout(sample.text, width // self.advance - 1)   # room for a hanging ↵
        self.visible_rows = max(1, height // self.line_h)
        self.cell_index = {cell: i for i, cell in enumerate(self.grid.cells)}
        self.pad = self.advance          # layers have a margin all round, for the halo to fade in
        layer_size = (width + 2 * self.pad, self.grid.rows * self.line_h + 2 * self.pad)
        self.text = pygame.Surface(layer_size, pygame.SRCALPHA)
        # Even and odd rows glow on separate layers, so a row's halo can be blitted with generous
        # margins without picking up the halo of the (maybe not yet written) row below it.
        glow_sources = [pygame.Surface(layer_size), pygame.Surface(layer_size)] if with_glow else None
        probs = list(sample.probs) + [0.0] * (len(sample.text) - len(sample.probs))   # missing: guessing
        for ch, p, (row, col) in zip(sample.text, probs, self.grid.cells):
            if ch == " ":
                continue
            mark = glyphs.is_drawn_symbol(ch)
            color = theme.FAINT if mark else theme.confidence_color(float(p))
            glyph = glyphs.render(font, ch, color)
            pos = (self.pad + col * self.advance, self.pad + row * self.line_h)
            self.text.blit(glyph, pos)
            if glow_sources is not None and not mark:
                glow_sources[row % 2].blit(glyph, pos)
        self.glows = [_blurred(g, self.advance) for g in glow_sources] if glow_sources is not None else None

    def row_span(self, row: int, typed: int) -> int:
        """How many cells of `row` are visible once `typed` characters have been written."""
        if typed <= 0:
            return 0
        last_row, last_col = self.grid.cells[typed - 1]
        if row < last_row:
            return self.grid.row_ends[row]
        return last_col + 1 if row == last_row else 0


def _fitting_font_size(text: str, width: int, height: int) -> int:
    """The largest monospaced size (within calm limits) at which the whole sample fits."""
    largest = int(max(SMALLEST_FONT, min(72, height / 4)))
    lo, hi = SMALLEST_FONT, largest
    while lo < hi:
        mid = (lo + hi + 1) // 2
        font = fonts.get("mono", mid)
        cols = width // max(1, font.size("M")[0]) - 1
        if grid_layout(text, cols).rows * font.get_linesize() <= height:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _blurred(source: pygame.Surface, advance: int) -> pygame.Surface:
    """A soft, dimmed halo of `source`, ready to be added onto the panel (BLEND_RGB_ADD).

    Two box blurs of a half-size copy look like a Gaussian blur at a quarter of its cost;
    scaling back up smooths the result further.
    """
    w, h = source.get_size()
    small = pygame.transform.smoothscale(source, (max(1, w // 2), max(1, h // 2)))
    radius = max(1, advance // 8)
    small = pygame.transform.box_blur(pygame.transform.box_blur(small, radius), radius)
    glow = pygame.transform.smoothscale(small, (w, h))
    glow.fill((GLOW_STRENGTH,) * 3, special_flags=pygame.BLEND_RGB_MULT)
    return glow


class TextSamplePanel(Panel):
    title = "What the model writes"
    help_key = "sample"

    def __init__(self, low_power: bool = False):
        super().__init__(low_power)
        self._labels = LabelCache()
        self._shown: Sample | None = None
        self._waiting: Sample | None = None   # the newest sample, shown once _shown has been read
        self._typed = 0.0                     # characters of _shown written so far
        self._finished_for = 0.0              # seconds since _shown was fully written
        self._clock = 0.0                     # drives the caret's blink
        self._page: _Page | None = None
        self._page_key: tuple | None = None
        self._text_rect = pygame.Rect(0, 0, 0, 0)
        self._first_row = 0

    @property
    def shown_sample(self) -> Sample | None:
        """The sample being written or shown (a newer one waits until this has been read)."""
        return self._shown

    # --- animation ------------------------------------------------------------------------
    def update(self, snap: Snapshot, dt: float) -> None:
        dt = max(0.0, dt)
        self._clock += dt
        incoming = snap.sample
        if incoming is None:                  # a fresh model: nothing written yet
            self._shown = self._waiting = None
            return
        if not (_same(incoming, self._shown) or _same(incoming, self._waiting)):
            self._waiting = incoming
        written = self._shown is not None and self._typed >= len(self._shown.text)
        if self._waiting is not None and (self._shown is None or (written and self._finished_for >= HOLD_S)):
            self._shown, self._waiting = self._waiting, None
            self._typed, self._finished_for = 0.0, 0.0
            written = False
        if self._shown is None:
            return
        if written:
            self._finished_for += dt
        else:
            self._typed = min(float(len(self._shown.text)), self._typed + dt * TYPE_CHARS_PER_S)

    # --- drawing ----------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        rect = pygame.Rect(rect)
        if rect.width < 4 or rect.height < 4:
            return
        with clipped_to(surface, rect):
            if self._shown is None or not self._shown.text:
                self._page = None
                draw_placeholder(surface, rect, PLACEHOLDER)
            else:
                legend_h = self._draw_legend(surface, rect)
                self._text_rect = pygame.Rect(rect.x, rect.y, rect.width, rect.height - legend_h)
                self._draw_text(surface, self._text_rect)

    def _page_for(self, size: tuple[int, int]) -> _Page:
        key = (id(self._shown), size)
        if self._page is None or self._page_key != key:
            self._page = _Page(self._shown, size, with_glow=not self.low_power)
            self._page_key = key
        return self._page

    def _draw_text(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        if rect.height < 4:
            return
        page = self._page_for(rect.size)
        typed = int(self._typed)
        if typed == 0:
            return
        head_row, head_col = page.grid.cells[typed - 1]
        self._first_row = max(0, head_row - page.visible_rows + 1)   # follow the pen when it runs long
        pad, adv, lh = page.pad, page.advance, page.line_h
        writing = typed < len(self._shown.text)
        for row in range(self._first_row, head_row + 1):
            span = page.row_span(row, typed)
            if page.glows is not None:
                ahead = 0 if row == head_row else pad      # no halo of characters not yet written
                halo = pygame.Rect(0, row * lh, pad + span * adv + ahead, lh + 2 * pad)
                self._blit(surface, rect, page.glows[row % 2], halo, pygame.BLEND_RGB_ADD)
            self._blit(surface, rect, page.text, pygame.Rect(pad, pad + row * lh, span * adv, lh))
        if writing and page.glows is not None:         # the pen's tip glows a little brighter
            first = max(0, head_col + 1 - FRESH_CHARS)
            tip = pygame.Rect(pad // 2 + first * adv, pad // 2 + head_row * lh,
                              pad // 2 + (head_col + 1 - first) * adv, lh + pad)
            self._blit(surface, rect, page.glows[head_row % 2], tip, pygame.BLEND_RGB_ADD)
        if writing or (self._clock % 1.2) < 0.7:       # a caret while writing, then a slow blink
            y = rect.y + (head_row - self._first_row) * lh
            caret = pygame.Rect(rect.x + (head_col + 1) * adv + 1, y + lh // 6, max(2, adv // 5), lh * 2 // 3)
            pygame.draw.rect(surface, theme.MODERATE, caret)

    def _blit(self, surface: pygame.Surface, rect: pygame.Rect, layer: pygame.Surface,
              region: pygame.Rect, flags: int = 0) -> None:
        """Copy `region` of a page layer to where it belongs on screen (given the scroll)."""
        pad, lh = self._page.pad, self._page.line_h
        dest = (rect.x + region.x - pad, rect.y + region.y - pad - self._first_row * lh)
        surface.blit(layer, dest, region, special_flags=flags)

    def _draw_legend(self, surface: pygame.Surface, rect: pygame.Rect) -> int:
        """The colour key and the step the sample was written at; returns the height it took."""
        if rect.height < 70:
            return 0
        size = text_size(rect, 0.06, 11, 28)
        items = [(theme.SURE, "sure"), (theme.MODERATE, "fairly sure"), (theme.GUESSING, "guessing")]
        labels = [(c, self._labels.get(word, "text", size, theme.MUTED)) for c, word in items]
        step = self._labels.get(f"written at step {self._shown.step:,}", "text", size, theme.FAINT)
        height = labels[0][1].get_height()
        y = rect.bottom - height
        dot = max(3, size // 3)
        x = rect.x
        for color, label in labels:
            pygame.draw.circle(surface, color, (x + dot, y + height // 2), dot)
            x += 2 * dot + dot
            surface.blit(label, (x, y))
            x += label.get_width() + 3 * dot
        if x + step.get_width() <= rect.right:
            surface.blit(step, (rect.right - step.get_width(), y))
        return height + size // 2

    # --- pointer ----------------------------------------------------------------------------
    def tooltip_at(self, pos: tuple[int, int]) -> str | None:
        page, sample = self._page, self._shown
        if page is None or sample is None or not self._text_rect.collidepoint(pos):
            return None
        col = (pos[0] - self._text_rect.x) // page.advance
        row = (pos[1] - self._text_rect.y) // page.line_h + self._first_row
        index = page.cell_index.get((row, col))
        if index is None or index >= int(self._typed):
            return None
        return explain_choice(sample, index)


def explain_choice(sample: Sample, index: int) -> str:
    """'Here the model wrote 'e' (62% sure). Other ideas: 'a' 20%, 'o' 9%'."""
    ch = sample.text[index]
    words = f"Here the model wrote {glyphs.describe(ch)}"
    if index < len(sample.probs):
        words += f" ({_percent(float(sample.probs[index]))} sure)"
    words += "."
    alternatives = sample.alternatives[index] if index < len(sample.alternatives) else ()
    others = [f"{glyphs.describe(c)} {_percent(p)}" for c, p in alternatives if c != ch][:3]
    if others:
        words += " Other ideas: " + ", ".join(others)
    return words


def _percent(p: float) -> str:
    if not math.isfinite(p):
        return "?%"
    return "<1%" if p < 0.005 else f"{round(100 * p)}%"


def _same(a: Sample | None, b: Sample | None) -> bool:
    return a is not None and b is not None and (a is b or (a.step == b.step and a.text == b.text))
