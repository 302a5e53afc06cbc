"""Characters <-> token ids, for any text a visitor can paste.

Text is cleaned the same way on the way in (`from_text`, `encode`), so `decode(encode(s))`
gives back `clean_text(s)`:
- Unicode NFC, so an accent typed as letter + combining mark becomes one character
  (a combining mark with no letter to join stays a token of its own);
- line ends '\\r\\n', '\\r', U+2028 and U+2029 become '\\n';
- other control characters (C0/C1 codes except '\\n' and '\\t', DEL, lone surrogates) are
  dropped: they cannot be drawn on a panel and carry nothing a visitor can read.
Everything else (emoji, accents, right-to-left scripts, zero-width joiners) is kept as is,
one token per code point.

The vocabulary is capped so the panels stay readable: when a text has more distinct characters
than `max_vocab`, the rarest ones share one last token, UNKNOWN ('\\ufffd').
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np

UNKNOWN = "\ufffd"
MAX_VOCAB = 96

_LINE_ENDS = re.compile("\r\n|[\r\u2028\u2029]")
_UNDRAWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text as the model sees it (see the module docstring)."""
    if not isinstance(text, str):
        raise ValueError("The training text must be text (a str).")
    text = _UNDRAWABLE.sub("", _LINE_ENDS.sub("\n", text))
    return unicodedata.normalize("NFC", text)


def _code_points(text: str) -> np.ndarray:
    """(n,) uint32 code points of an already cleaned text; fast even for a megabyte."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


class CharTokenizer:
    """Vocabulary = distinct characters, most frequent first (ties: lower code point first)."""

    def __init__(self, chars: tuple[str, ...], has_unknown: bool = False):
        chars = tuple(chars)
        if len(chars) < 2:
            raise ValueError("The text needs at least two different characters to learn from.")
        if len(set(chars)) != len(chars) or any(len(c) != 1 for c in chars):
            raise ValueError("A vocabulary must be distinct single characters.")
        if has_unknown and chars[-1] != UNKNOWN:
            raise ValueError("The unknown symbol must be the last token of the vocabulary.")
        self.chars = chars
        self.has_unknown = bool(has_unknown)
        codes = np.array([ord(c) for c in chars], dtype=np.uint32)
        self._order = np.argsort(codes, kind="stable")          # (V,) ids sorted by code point
        self._sorted_codes = codes[self._order]                  # (V,)

    @classmethod
    def from_text(cls, text: str, max_vocab: int = MAX_VOCAB) -> CharTokenizer:
        if max_vocab < 3:
            raise ValueError("The vocabulary cap must allow at least three characters.")
        codes, counts = np.unique(_code_points(clean_text(text)), return_counts=True)
        if len(codes) < 2:
            raise ValueError("The text needs at least two different characters to learn from.")
        # np.unique sorts by code point, so a stable sort by count keeps ties in code-point order.
        ranked = codes[np.argsort(-counts, kind="stable")]
        if len(ranked) <= max_vocab:
            return cls(tuple(chr(c) for c in ranked))
        kept = [chr(c) for c in ranked if c != ord(UNKNOWN)][: max_vocab - 1]
        return cls(tuple(kept) + (UNKNOWN,), has_unknown=True)

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    @property
    def unknown_id(self) -> int | None:
        return self.vocab_size - 1 if self.has_unknown else None

    def encode(self, text: str) -> np.ndarray:
        """(n,) int64 ids of the cleaned text. Characters outside the vocabulary become UNKNOWN;
        without an UNKNOWN token they are a ValueError."""
        cps = _code_points(clean_text(text))                                     # (n,)
        pos = np.minimum(np.searchsorted(self._sorted_codes, cps), self.vocab_size - 1)
        found = self._sorted_codes[pos] == cps
        ids = self._order[pos].astype(np.int64)
        if not found.all():
            if not self.has_unknown:
                missing = chr(int(cps[~found][0]))
                raise ValueError(f"The character {missing!r} is not one the model knows.")
            ids[~found] = self.unknown_id
        return ids

    def decode(self, ids) -> str:
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError("These token ids are outside the model's vocabulary.")
        chars = self.chars
        return "".join([chars[i] for i in ids.tolist()])

    def __eq__(self, other) -> bool:
        return isinstance(other, CharTokenizer) and (self.chars, self.has_unknown) == (
            other.chars, other.has_unknown)

    def __hash__(self) -> int:
        return hash((self.chars, self.has_unknown))

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size}, has_unknown={self.has_unknown})"
