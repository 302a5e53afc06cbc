"""The palette: every colour the scenes use, named for what it means."""
from __future__ import annotations

import unicodedata

BACKGROUND = (10, 12, 20)
PANEL = (20, 24, 36)
PANEL_EDGE = (46, 54, 78)
TITLE = (236, 240, 248)
TEXT = (222, 228, 240)
MUTED = (128, 138, 160)
GRID = (40, 46, 64)
WARNING = (255, 120, 90)
RECORDING = (235, 40, 40)

# Confidence of a written character (spec: white = sure, blue = moderate, grey = guessing).
SURE = (255, 255, 255)
MODERATE = (90, 160, 255)
GUESSING = (118, 122, 134)

# Character classes in the embedding plot (spec: blue vowels, green consonants,
# amber whitespace, purple punctuation).
VOWEL = (70, 140, 255)
CONSONANT = (70, 205, 110)
WHITESPACE = (255, 176, 32)
PUNCTUATION = (176, 100, 255)

LOSS_RAW = (120, 126, 146)
LOSS_SMOOTH = (80, 160, 255)
BASELINE = (255, 196, 90)

# One colour per attention head, distinct on a dark background.
HEAD_COLORS = [
    (255, 110, 110), (90, 200, 255), (255, 210, 80), (150, 255, 140),
    (230, 120, 255), (255, 160, 60), (80, 255, 210), (255, 120, 190),
]

VOWELS = set("aeiouAEIOU")


def char_class(ch: str) -> str:
    """'vowel', 'consonant', 'whitespace' or 'punctuation' (digits and symbols count as punctuation)."""
    if ch.isspace():
        return "whitespace"
    if ch.isalpha():
        base = unicodedata.normalize("NFD", ch)[0]
        return "vowel" if base in VOWELS else "consonant"
    return "punctuation"


CLASS_COLORS = {
    "vowel": VOWEL,
    "consonant": CONSONANT,
    "whitespace": WHITESPACE,
    "punctuation": PUNCTUATION,
}


def confidence_color(p: float) -> tuple:
    """White when sure, blue when moderate, grey when guessing."""
    if p >= 0.6:
        return SURE
    if p >= 0.25:
        return MODERATE
    return GUESSING
