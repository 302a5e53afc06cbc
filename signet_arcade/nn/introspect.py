"""What the panels show about the model's insides, each cheap enough for a few calls a second."""
from __future__ import annotations

import numpy as np

from signet_arcade.nn.model import GPT
from signet_arcade.nn.sampling import check_ids, fill_window, softmax


def attention_weights(model: GPT, ids) -> np.ndarray:
    """(layers, heads, t, t) float32 attention of the last t = min(len(ids), context) tokens.
    Row i: how much position i looks at each earlier position."""
    ids = check_ids(ids, model.cfg.vocab_size)
    window = np.zeros((1, model.cfg.context), np.int64)
    t = fill_window(window, ids, ids.size)
    with np.errstate(all="ignore"):
        att = model.attention_maps(window)[:, :, :t, :t]                   # (L, H, t, t)
    return np.nan_to_num(att, nan=0.0)          # a contiguous copy; a blown-up model attends nowhere


def learned_bigrams(model: GPT) -> np.ndarray:
    """(V, V) float32, row a = the model's next-character distribution with `a` alone as context.
    One batched forward of shape (V, 1)."""
    V = model.cfg.vocab_size
    with np.errstate(all="ignore"):            # broken weights give uniform rows in softmax
        logits = model.forward(np.arange(V, dtype=np.int64)[:, None])      # (V, 1, V)
    return softmax(logits[:, 0, :])


def embedding_projection(wte: np.ndarray, previous: np.ndarray | None = None) -> np.ndarray:
    """(V, 2) float32 in [-1, 1]: the character embeddings wte (V, C) on their two principal axes.

    PCA fixes each axis only up to sign, and two axes of nearly equal spread only up to a
    rotation, so points could jump between frames. With `previous` (last frame's result, same V)
    the new plane is turned (rotated or mirrored, orthogonal Procrustes) to best match it; without,
    each axis is signed so its farthest point is positive. Each axis is then scaled to fill
    [-1, 1]. Broken (non-finite) weights return `previous`, or zeros."""
    V = wte.shape[0]
    has_previous = previous is not None and previous.shape == (V, 2) and np.isfinite(previous).all()
    if not np.isfinite(wte).all():
        return previous.astype(np.float32) if has_previous else np.zeros((V, 2), np.float32)
    centred = (wte - wte.mean(axis=0)).astype(np.float64)                  # (V, C)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    xy = u[:, :2] * s[:2]                                                  # (V, 2), or (V, 1) if V = 2
    if xy.shape[1] < 2:
        xy = np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))
    if has_previous:
        a, _, bt = np.linalg.svd(xy.T @ previous)                          # (2, 2) each
        xy = xy @ (a @ bt)
    else:
        xy = xy * np.where(xy[np.abs(xy).argmax(axis=0), [0, 1]] < 0, -1.0, 1.0)
    reach = np.abs(xy).max(axis=0)                                         # (2,)
    return (xy / np.where(reach > 1e-12, reach, 1.0)).astype(np.float32)
