"""The shape of the transformer, and the kiosk's default choice of it."""
from __future__ import annotations

import numbers
from dataclasses import dataclass

# Inclusive (low, high) range of every architecture value; the UI builds its controls from these.
LIMITS: dict[str, tuple[int, int]] = {
    "vocab_size": (2, 1024),
    "context": (2, 256),
    "embed": (8, 256),
    "heads": (1, 16),
    "layers": (1, 8),
}

# Windows of text per training step. Chosen with the default architecture below by timing how
# soon real words appear in samples on English prose (see bench/train_step.py and the issue notes).
DEFAULT_BATCH_SIZE = 8

_WHAT = {
    "vocab_size": "The vocabulary (number of distinct characters)",
    "context": "The context (characters the model looks back at)",
    "embed": "The embedding size",
    "heads": "The number of attention heads",
    "layers": "The number of layers",
}


@dataclass(frozen=True)
class GPTConfig:
    """Architecture of the character-level GPT. Only `vocab_size` is required: the other
    fields default to the kiosk default architecture."""

    vocab_size: int
    context: int = 32
    embed: int = 48
    heads: int = 4
    layers: int = 2

    def __post_init__(self):
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(f"{_WHAT[name]} must be a whole number, not {value!r}.")
            value = int(value)
            object.__setattr__(self, name, value)  # a NumPy integer from a slider becomes a plain int
            if not low <= value <= high:
                raise ValueError(f"{_WHAT[name]} is {value}, but it must be between {low} and {high}.")
        if self.embed % self.heads:
            raise ValueError(
                f"embed ({self.embed}) must be divisible by heads ({self.heads}): each head gets an "
                f"equal share of the embedding. Try embed {self.embed // self.heads * self.heads or self.heads} "
                f"or a number of heads that divides {self.embed}.")

    @property
    def head_size(self) -> int:
        return self.embed // self.heads
