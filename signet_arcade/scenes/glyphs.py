"""How invisible characters are shown: space, newline and tab become readable symbols.

The bundled fonts (Noto Sans, Fira Code) have no glyph for ␣ ↵ ⇥, so:
- `render()` draws those three as small vector symbols that look the same in every font and size;
  use it wherever a single character is drawn (labels, tiles, rows of characters).
- `visible()` returns a stand-in that every bundled font *can* draw (·, ¶, »), for the rare
  place where a character must sit inside a longer rendered string.
- `describe()` names a character for sentences ("a space", "a new line", "'q'").
"""
from __future__ import annotations

from functools import lru_cache

import pygame

_FONT_SAFE = {
    " ": "·",
    "\n": "¶",
    "\t": "»",
    "\r": "¶",
}
_DRAWN = {" ", "\n", "\t", "\r"}


def visible(ch: str) -> str:
    """A printable stand-in for any character (control characters become '�')."""
    if ch in _FONT_SAFE:
        return _FONT_SAFE[ch]
    if not ch or not ch.isprintable():
        return "�"
    return ch


def describe(ch: str) -> str:
    """A name for a character in a sentence: 'a space', 'a new line', "'q'"."""
    names = {" ": "a space", "\n": "a new line", "\t": "a tab", "\r": "a carriage return"}
    return names.get(ch, f"'{visible(ch)}'")


def is_drawn_symbol(ch: str) -> bool:
    """True for the characters `render` draws as vector symbols instead of font glyphs."""
    return ch in _DRAWN


@lru_cache(maxsize=4096)
def render(font: pygame.font.Font, ch: str, color: tuple) -> pygame.Surface:
    """One character as a surface: ␣ ↵ ⇥ drawn as symbols, anything else through the font.

    Cached: the same (font, character, colour) is rendered once.
    """
    if ch not in _DRAWN:
        text = visible(ch)
        if font.size(text)[0] == 0:          # a combining mark or a joiner has no width of its own
            text = "�"
        return font.render(text, True, color)
    # exactly one letter wide, so a symbol never spills into its neighbour's cell
    surf = pygame.Surface((font.size("n")[0], font.get_height()), pygame.SRCALPHA)
    _draw_symbol(surf, ch, font.get_ascent(), color)
    return surf


def _draw_symbol(surf: pygame.Surface, ch: str, baseline: int, color: tuple) -> None:
    w = surf.get_width()
    lw = max(1, round(surf.get_height() / 16))
    x0, x1 = lw, w - lw - 1
    xh = baseline * 0.55                     # roughly the height of an 'x'
    arrow = max(2.0, xh * 0.32)
    if ch == " ":                            # ␣ an open box on the baseline
        y = baseline - lw
        _lines(surf, color, [(x0, y - xh * 0.45), (x0, y), (x1, y), (x1, y - xh * 0.45)], lw)
    elif ch in ("\n", "\r"):                 # ↵ down, then back to the start of the line
        y = baseline - xh * 0.35
        _lines(surf, color, [(x1, baseline - xh * 1.3), (x1, y), (x0, y)], lw)
        _lines(surf, color, [(x0 + arrow, y - arrow), (x0, y), (x0 + arrow, y + arrow)], lw)
    else:                                    # ⇥ an arrow that stops at a bar
        y = baseline - xh * 0.5
        _lines(surf, color, [(x0, y), (x1 - lw * 2, y)], lw)
        _lines(surf, color, [(x1 - lw * 2 - arrow, y - arrow), (x1 - lw * 2, y),
                             (x1 - lw * 2 - arrow, y + arrow)], lw)
        _lines(surf, color, [(x1, y - arrow * 1.2), (x1, y + arrow * 1.2)], lw)


def _lines(surf: pygame.Surface, color: tuple, points: list, width: int) -> None:
    if width <= 1:
        pygame.draw.aalines(surf, color, False, points)
    else:
        pygame.draw.lines(surf, color, False, points, width)
