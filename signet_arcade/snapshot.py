"""The read-only picture of training that the panels draw.

The session builds a Snapshot a few times a second; scenes only read it. Arrays are made
read-only so a scene cannot reach back into the model by accident.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def frozen_array(a, dtype=None) -> np.ndarray:
    """A copy of `a` that nobody can write to."""
    out = np.array(a, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Sample:
    """One piece of text the model wrote, character by character."""

    text: str                     # what it wrote (raw characters: '\n', ' ', '\t' included)
    probs: np.ndarray             # (n,) float32: the probability the model gave each character
    alternatives: tuple           # n entries, each a tuple of (char, prob): top choices at that point
    step: int                     # training step at which it was written


@dataclass(frozen=True)
class Snapshot:
    # --- what is being trained -------------------------------------------------------------
    step: int = 0
    running: bool = False
    text_name: str = ""
    text_length: int = 0
    vocab: tuple = ()             # the model's characters; index == token id
    param_count: int = 0
    heads: int = 0
    layers: int = 0
    embed: int = 0
    context: int = 0
    lr: float = 3e-4
    temperature: float = 0.4
    speed: int = 100
    steps_per_s: float = 0.0
    fps: float = 0.0
    # --- loss ------------------------------------------------------------------------------
    loss_steps: np.ndarray = field(default_factory=lambda: frozen_array([], np.int64))      # (n,)
    loss_values: np.ndarray = field(default_factory=lambda: frozen_array([], np.float32))   # (n,) raw
    loss_smooth: np.ndarray = field(default_factory=lambda: frozen_array([], np.float32))   # (n,) EMA
    baseline_loss: float | None = None   # cross-entropy of a smoothed bigram count model
    # --- what the model writes ---------------------------------------------------------------
    sample: Sample | None = None
    # --- next token --------------------------------------------------------------------------
    next_context: str = ""
    next_probs: np.ndarray = field(default_factory=lambda: frozen_array([], np.float32))    # (V,)
    # --- character embeddings ----------------------------------------------------------------
    embedding_xy: np.ndarray = field(default_factory=lambda: frozen_array(np.zeros((0, 2)), np.float32))  # (V,2) in [-1,1]
    # --- learned bigrams ---------------------------------------------------------------------
    bigram_chars: tuple = ()      # the N most frequent characters of the text
    bigram_probs: np.ndarray = field(default_factory=lambda: frozen_array(np.zeros((0, 0)), np.float32))  # (N,N) row=now, col=next
    bigram_sentences: tuple = ()  # plain-English sentences about the top pairs
    # --- attention ---------------------------------------------------------------------------
    attention_text: str = ""
    attention: np.ndarray = field(default_factory=lambda: frozen_array(np.zeros((0, 0, 0, 0)), np.float32))  # (L,H,t,t)
    # --- words for the visitor ---------------------------------------------------------------
    notice: str = ""              # e.g. "New architecture: the model starts again from scratch."
    notice_is_warning: bool = False
    recording: bool = False
    attract: bool = False         # kiosk demo mode is running
    caption: str = ""             # attract-mode invitation ("Touch anywhere to try it yourself")
