"""How invisible characters are shown: space, newline and tab become readable symbols."""
from __future__ import annotations

_SYMBOLS = {
    " ": "␣",
    "\n": "↵",
    "\t": "⇥",
    "\r": "␍",
}


def visible(ch: str) -> str:
    """A printable stand-in for any character (control characters become '�')."""
    if ch in _SYMBOLS:
        return _SYMBOLS[ch]
    if not ch or not ch.isprintable():
        return "�"
    return ch


def describe(ch: str) -> str:
    """A name for a character in a sentence: 'a space', 'a new line', "'q'"."""
    names = {" ": "a space", "\n": "a new line", "\t": "a tab"}
    return names.get(ch, f"'{visible(ch)}'")
