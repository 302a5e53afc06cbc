"""Letting the model write, and its full guess for the next character.

Every forward here is one (1, context) window: causal attention means padding after the real
tokens cannot change the logits at the real positions, so a short prompt is padded instead of
cropped, and the model keeps reusing one workspace (about 0.4 ms a character at the default size).
Probabilities come back as the model's own belief (temperature 1) even when the sample itself is
drawn at another temperature: the colour of a character says how sure the model was of it.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from signet_arcade.nn.model import GPT
from signet_arcade.nn.tokenizer import CharTokenizer

GREEDY_BELOW = 1e-3       # temperatures under this pick the likeliest character
MAX_CHARS = 10_000


@dataclass(frozen=True)
class GeneratedText:
    text: str                 # the n characters written (the prompt is not included)
    ids: np.ndarray           # (n,) int64 their token ids
    probs: np.ndarray         # (n,) float32 the probability the model gave each one
    alternatives: tuple       # n tuples of `top` (char, prob) pairs: the model's likeliest choices there


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """float32 probabilities over the last axis, (..., V) -> (..., V). A row whose logits are not
    finite numbers becomes uniform: a blown-up model must never put NaN on the screen."""
    with np.errstate(all="ignore"):            # broken logits are handled below, not printed
        z = logits / np.float32(temperature) if temperature != 1.0 else logits.astype(np.float32)
        z = z - z.max(axis=-1, keepdims=True)
        p = np.exp(z, dtype=np.float32)
        p /= p.sum(axis=-1, keepdims=True)
    broken = ~np.isfinite(p).all(axis=-1)
    if broken.any():
        p[broken] = 1.0 / p.shape[-1]
    return p


def next_char_probs(model: GPT, ids, temperature: float = 1.0) -> np.ndarray:
    """(V,) float32: the model's distribution of the character after `ids` (its last `context`)."""
    ids = check_ids(ids, model.cfg.vocab_size)
    temperature = _check_temperature(temperature)
    logits = _last_logits(model, np.zeros((1, model.cfg.context), np.int64), ids, ids.size)
    if temperature < GREEDY_BELOW:
        return np.eye(model.cfg.vocab_size, dtype=np.float32)[int(np.argmax(softmax(logits)))]
    return softmax(logits, temperature)


def generate(model: GPT, tokenizer: CharTokenizer, prompt_ids, n: int, temperature: float,
             rng: np.random.Generator, top: int = 3) -> GeneratedText:
    """Write `n` characters after `prompt_ids`, drawing each at `temperature` with `rng`."""
    prompt = check_ids(prompt_ids, model.cfg.vocab_size)
    temperature = _check_temperature(temperature)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 0 <= n <= MAX_CHARS:
        raise ValueError(f"The number of characters to write must be from 0 to {MAX_CHARS}, not {n!r}.")
    V, chars = model.cfg.vocab_size, tokenizer.chars
    if len(chars) != V:
        raise ValueError("The tokenizer and the model do not share a vocabulary.")
    seq = np.empty(prompt.size + n, np.int64)          # (p+n,) prompt then what gets written
    seq[:prompt.size] = prompt
    window = np.zeros((1, model.cfg.context), np.int64)
    beliefs = np.empty((n, V), np.float32)            # (n, V) the model's distribution at each point
    for i in range(n):
        end = prompt.size + i
        belief = beliefs[i] = softmax(_last_logits(model, window, seq, end))
        if temperature < GREEDY_BELOW:
            seq[end] = np.argmax(belief)
            continue
        # p^(1/T), scaled first so the likeliest is 1 and a low T cannot underflow them all to 0
        tempered = belief if temperature == 1.0 else (belief / belief.max()) ** np.float32(1.0 / temperature)
        cdf = np.cumsum(tempered)
        seq[end] = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), V - 1)
    ids = seq[prompt.size:]
    probs = beliefs[np.arange(n), ids]                                       # (n,)
    best = np.argsort(-beliefs, axis=1, kind="stable")[:, :top]              # (n, top)
    alternatives = tuple(tuple((chars[j], float(beliefs[i, j])) for j in row)
                         for i, row in enumerate(best.tolist()))
    return GeneratedText(text=tokenizer.decode(ids), ids=ids, probs=probs, alternatives=alternatives)


def fill_window(window: np.ndarray, seq: np.ndarray, end: int) -> int:
    """Put the last `context` tokens of seq[:end] at the start of window (1, context); return
    how many that is. What lies after them does not matter: causal attention never looks ahead."""
    k = min(end, window.shape[1])
    window[0, :k] = seq[end - k:end]
    return k


def _last_logits(model: GPT, window: np.ndarray, seq: np.ndarray, end: int) -> np.ndarray:
    """(V,) logits after seq[:end]."""
    k = fill_window(window, seq, end)
    with np.errstate(all="ignore"):            # a blown-up model's overflow ends in softmax's fallback
        return model.forward(window)[0, k - 1]


def check_ids(ids, vocab_size: int) -> np.ndarray:
    """ids as a non-empty (n,) int64 array of valid token ids, else a ValueError."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size == 0 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError("The model needs at least one character to start from.")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError("These token ids are outside the model's vocabulary.")
    return ids.astype(np.int64, copy=False)


def _check_temperature(temperature) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) \
            or not math.isfinite(temperature) or temperature < 0:
        raise ValueError(f"The temperature must be a number of 0 or more, not {temperature!r}.")
    return float(temperature)
