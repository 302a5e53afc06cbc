"""Made-up names from a small syllable grammar: a name is two or three syllables, each an
onset, a vowel sound and sometimes a soft ending. Seeded, so the text is the same every run."""
from __future__ import annotations

import random

_ONSETS = ["b", "br", "d", "f", "g", "gr", "k", "l", "m", "n", "p", "r", "s", "st", "t", "th",
           "v", "w", "z", ""]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ee", "oo", "ia"]
_ENDINGS = ["", "", "", "n", "l", "r", "s", "th"]
_PLACES = ["Ashford", "Bellmere", "Cobble Hill", "Dunmoor", "Elmstead", "Fairwick", "Greystone",
           "Hollow End", "Ivybridge", "Kettle Cove"]


def _name(rng: random.Random) -> str:
    syllables = [rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_ENDINGS)
                 for _ in range(rng.choice((2, 2, 3)))]
    return "".join(syllables).capitalize()


def generate(seed: int = 0, count: int = 1500) -> str:
    """One person per line: "Talia Brenmor of Fairwick"."""
    rng = random.Random(seed)
    return "".join(f"{_name(rng)} {_name(rng)} of {rng.choice(_PLACES)}\n" for _ in range(count))
