"""Plain-English sentences about the character pairs the model is surest of.

"After 'q' the model is sure a 'u' comes next." — the words scale with how sure it is.
"""
from __future__ import annotations

import numpy as np

from signet_arcade.scenes.glyphs import describe

SURE = 0.8
USUALLY = 0.45
LEANS = 0.25


def _with_article(ch: str) -> str:
    """"a 'u'", "an 'e'", "a space": letters are read by their names (an 'f', an 's')."""
    name = describe(ch)
    if not name.startswith("'"):
        return name                      # "a space", "a new line" already have their article
    return ("an " if ch.lower() in "aefhilmnorsx" and ch.isascii() else "a ") + name


def _after(ch: str) -> str:
    return "After " + describe(ch)


def sentence(now: str, nxt: str, p: float) -> str:
    if p >= SURE:
        return f"{_after(now)} the model is sure {_with_article(nxt)} comes next."
    if p >= USUALLY:
        return f"{_after(now)} it usually expects {_with_article(nxt)}."
    return f"{_after(now)} it leans towards {_with_article(nxt)}, but is not sure."


def top_pair_sentences(chars: tuple[str, ...], probs: np.ndarray, rows: int, count: int = 5) -> tuple[str, ...]:
    """Sentences for the `count` most confident rows among the first `rows` characters.

    chars: (V,) the vocabulary; probs: (V, V) float, row = character now, column = next.
    Rows whose best guess is below LEANS say nothing worth a sentence and are left out.
    """
    rows = min(rows, len(chars), probs.shape[0])
    if rows == 0:
        return ()
    best = probs[:rows].argmax(axis=1)                       # (rows,)
    best_p = probs[np.arange(rows), best]                    # (rows,)
    order = np.argsort(-best_p, kind="stable")[:count]
    return tuple(sentence(chars[i], chars[best[i]], float(best_p[i])) for i in order if best_p[i] >= LEANS)
