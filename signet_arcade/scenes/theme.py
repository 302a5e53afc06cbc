"""The palette: every colour the scenes use, named for what it means."""
from __future__ import annotations

import unicodedata

BACKGROUND = (10, 12, 20)
PANEL = (20, 24, 36)
PANEL_TOP = (26, 31, 47)          # the card's gradient starts lighter at the top: a soft lit edge
PANEL_EDGE = (46, 54, 78)
PANEL_SHADOW = (4, 5, 10)
TITLE = (236, 240, 248)
TEXT = (222, 228, 240)
MUTED = (128, 138, 160)
FAINT = (78, 86, 108)             # hints that must not compete with content (newline marks, axes)
GRID = (40, 46, 64)
WARNING = (255, 120, 90)
RECORDING = (235, 40, 40)
CELEBRATE = (120, 230, 150)

TOOLTIP_BG = (30, 36, 54)
TOOLTIP_EDGE = (90, 110, 160)
TOOLTIP_TEXT = (240, 244, 252)

# Confidence of a written character (spec: white = sure, blue = moderate, grey = guessing).
SURE = (255, 255, 255)
MODERATE = (90, 160, 255)
GUESSING = (118, 122, 134)
SURE_FROM = 0.6                   # probability at which a character counts as "sure"
MODERATE_FROM = 0.25              # ... and as "moderate"; below it the model is guessing

# Character classes in the embedding plot (spec: blue vowels, green consonants,
# amber whitespace, purple punctuation).
VOWEL = (70, 140, 255)
CONSONANT = (70, 205, 110)
WHITESPACE = (255, 176, 32)
PUNCTUATION = (176, 100, 255)

LOSS_RAW = (120, 126, 146)
LOSS_SMOOTH = (80, 160, 255)
BASELINE = (255, 196, 90)

# Next-token bars run from a dim blue (unlikely) to the smoothed-loss blue (the favourite).
BAR_LOW = (44, 70, 120)
BAR_HIGH = LOSS_SMOOTH

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
    """White when sure, blue when moderate, grey when guessing.

    Three clear steps rather than a gradient: a visitor can name each colour, and the legend
    under the sample says what it means.
    """
    if p >= SURE_FROM:
        return SURE
    if p >= MODERATE_FROM:
        return MODERATE
    return GUESSING


def lerp(a: tuple, b: tuple, t: float) -> tuple:
    """The colour a fraction t of the way from a to b (t is clamped to [0, 1])."""
    t = min(1.0, max(0.0, t))
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))
