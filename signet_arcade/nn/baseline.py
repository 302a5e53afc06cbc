"""The "counting pairs" baseline drawn on the loss chart.

Count how often each character follows each other one in the text, guess the next character
from those counts alone, and measure how wrong that guess is on the same text (mean cross-entropy
in nats, like the model's loss). A transformer that beats this line has learned more than pairs.
"""
import numpy as np


def bigram_counts(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """(V, V) int64: counts[a, b] = how often token b follows token a."""
    ids = np.asarray(ids, dtype=np.int64)
    return np.bincount(ids[:-1] * vocab_size + ids[1:], minlength=vocab_size * vocab_size).reshape(
        vocab_size, vocab_size)


def bigram_baseline_loss(ids: np.ndarray, vocab_size: int, smoothing: float = 1.0) -> float:
    """Cross-entropy of an add-`smoothing` bigram count model fitted to `ids`, scored on `ids`."""
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size < 2:
        raise ValueError("The text needs at least two characters to count pairs.")
    counts = bigram_counts(ids, vocab_size)                                        # (V, V)
    # Only rows that occur matter: score sum_ab counts[a,b] * -log p(b|a), without a (V, V) log.
    row_totals = counts.sum(axis=1) + smoothing * vocab_size                       # (V,)
    seen = counts > 0
    pair_logp = np.log(counts[seen] + smoothing) - np.log(row_totals[np.nonzero(seen)[0]])
    return float(-(counts[seen] * pair_logp).sum() / (ids.size - 1))
