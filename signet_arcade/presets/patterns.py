"""A text so regular that the model learns it within seconds: a short cycle of lines in which
every character is decided by the few before it. Good for showing the loss fall to nearly zero."""
from __future__ import annotations

_CYCLE = (
    "ab ab ab ab ab ab\n"
    "abc abc abc abc\n"
    "aaa bbb ccc ddd\n"
    "tick tock tick tock\n"
    "one two one two\n"
    "xo xo xo xo xo xo\n"
)


def generate(repeats: int = 150) -> str:
    return _CYCLE * repeats
