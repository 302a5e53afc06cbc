"""Letting the model write, and its full guess for the next character.

Both read the model through a Decoder (decode.py): each written character is fed back to it,
and while the text fits in the context window it costs one position's forward, not the window's.
Probabilities come back as the model's own belief (temperature 1) even when the sample itself is
drawn at another temperature: the colour of a character says how sure the model was of it.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from signet_arcade.nn.decode import Decoder
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
    decoder = Decoder(model.cfg, model.params)
    decoder.feed(ids)
    with np.errstate(all="ignore"):            # a blown-up model's overflow ends in softmax's fallback
        logits = decoder.next_logits()
    if temperature < GREEDY_BELOW:
        return np.eye(model.cfg.vocab_size, dtype=np.float32)[int(np.argmax(softmax(logits)))]
    return softmax(logits, temperature)


def generate(model: GPT, tokenizer: CharTokenizer, prompt_ids, n: int, temperature: float,
             rng: np.random.Generator, top: int = 3) -> GeneratedText:
    """Write `n` characters after `prompt_ids`, drawing each at `temperature` with `rng`."""
    prompt = check_ids(prompt_ids, model.cfg.vocab_size)
    decoder = Decoder(model.cfg, model.params)
    decoder.feed(prompt)
    return generate_from(decoder, tokenizer, n, temperature, rng, top)


def generate_from(decoder: Decoder, tokenizer: CharTokenizer, n: int, temperature: float,
                  rng: np.random.Generator, top: int = 3) -> GeneratedText:
    """Write `n` characters after those `decoder` has read, feeding each one back to it, so the
    next call carries on where this one stopped (as one call for all the characters would)."""
    temperature = _check_temperature(temperature)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 0 <= n <= MAX_CHARS:
        raise ValueError(f"The number of characters to write must be from 0 to {MAX_CHARS}, not {n!r}.")
    V, chars = decoder.cfg.vocab_size, tokenizer.chars
    if len(chars) != V:
        raise ValueError("The tokenizer and the model do not share a vocabulary.")
    ids = np.empty(n, np.int64)                       # (n,) what gets written
    logits = np.empty((n, V), np.float32)             # (n, V) the model's logits at each point
    with np.errstate(all="ignore"):            # a blown-up model's overflow ends in softmax's fallback
        for i in range(n):
            logits[i] = decoder.next_logits()
            ids[i] = _draw(logits[i], temperature, rng)
            decoder.feed(ids[i:i + 1])
    beliefs = softmax(logits)                         # (n, V) the model's distribution at each point
    probs = beliefs[np.arange(n), ids]                                       # (n,)
    best = np.argsort(-beliefs, axis=1, kind="stable")[:, :top]              # (n, top)
    alternatives = tuple(tuple((chars[j], float(beliefs[i, j])) for j in row)
                         for i, row in enumerate(best.tolist()))
    return GeneratedText(text=tokenizer.decode(ids), ids=ids, probs=probs, alternatives=alternatives)


def _draw(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """One token id drawn from softmax(logits (V,) / temperature), the likeliest below GREEDY_BELOW.
    Logits that are not finite numbers draw from the uniform distribution, as softmax says."""
    top = logits.max()                                # NaN if any is NaN
    if not math.isfinite(top):
        return 0 if temperature < GREEDY_BELOW else min(int(rng.random() * logits.size), logits.size - 1)
    if temperature < GREEDY_BELOW:
        return int(np.argmax(logits))
    # exp((logits - top) / T): the likeliest weighs 1, so a low T cannot underflow them all to 0
    weights = logits - top
    if temperature != 1.0:
        weights *= np.float32(1.0 / temperature)
    cdf = np.cumsum(np.exp(weights, out=weights), out=weights)
    return min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), logits.size - 1)


def fill_window(window: np.ndarray, seq: np.ndarray, end: int) -> int:
    """Put the last `context` tokens of seq[:end] at the start of window (1, context); return
    how many that is. What lies after them does not matter: causal attention never looks ahead."""
    k = min(end, window.shape[1])
    window[0, :k] = seq[end - k:end]
    return k


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
