"""Counting and simple sums, generated: "12 + 7 = 19". The model must learn digits' order and,
slowly, a little arithmetic."""
from __future__ import annotations

import random


def _counting_line(rng: random.Random) -> str:
    start = rng.randint(0, 90)
    return " ".join(str(n) for n in range(start, start + 8)) + "\n"


def _sum_line(rng: random.Random) -> str:
    a, b = rng.randint(0, 20), rng.randint(0, 20)
    if rng.random() < 0.3 and a >= b:
        return f"{a} - {b} = {a - b}\n"
    return f"{a} + {b} = {a + b}\n"


def generate(seed: int = 0, lines: int = 2000) -> str:
    rng = random.Random(seed)
    return "".join(_counting_line(rng) if i % 5 == 0 else _sum_line(rng) for i in range(lines))
