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

# Windows of text per training step. With the default architecture below (~62k parameters) a
# step takes ~1.3 ms on one core (bench/train_step.py). On 3.5 KB of English prose at lr 3e-4,
# real words appear after ~2000 steps (~3 s of one core) and the loss passes 0.7 by ~7000
# steps (~10 s). Per second of CPU, batch 4 learned faster than batch 8, context 32 than 64,
# and embed 48 than 32 or 64 at the same batch.
DEFAULT_BATCH_SIZE = 4

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
