"""Reading and writing one sequence a token at a time, with a key/value cache per layer.

A full forward recomputes every position of the window for each new character. Causal attention
means a position's keys and values depend only on the tokens up to it, so they can be kept: the
next token then costs one row through each layer, attending to the cached keys and values.

Positions are absolute within the context window, and the window holds the last `context`
tokens. Once a sequence outgrows it, every token moves to a new position (a new position
embedding) with each token added, so no cached key stays valid: the decoder then runs the whole
window again, as the full forward does, in one batched pass — minus the last layer's work on
every row but the last. The result is the full forward's, not an approximation of it.
"""
from __future__ import annotations

import math

import numpy as np

from . import layers as L
from .config import GPTConfig


class Decoder:
    """A key/value cache for one sequence, preallocated for the whole context window.

    It computes with a copy of `params` taken when it is made, so training the model meanwhile
    changes nothing (and never leaves a stale cache). Feed tokens with `feed`, ask for the
    logits after them with `next_logits`."""

    def __init__(self, cfg: GPTConfig, params: dict[str, np.ndarray]):
        T, C, H = cfg.context, cfg.embed, cfg.heads
        dtype = params["wte"].dtype
        e = lambda *shape: np.empty(shape, dtype)  # noqa: E731
        self.cfg = cfg
        with np.errstate(all="ignore"):          # a blown-up model's weights fold to NaN, handled by the caller
            self._wte, self._wpe = params["wte"].copy(), params["wpe"].copy()
            self._blocks = [_folded_block(params, f"h{i}.", 1.0 / math.sqrt(C // H)) for i in range(cfg.layers)]
            self._head = _fold_norm(params["lnf.g"], params["lnf.b"], params["head.w"], params["head.b"])
        self._window = np.zeros(T, np.int64)     # (T,) the last `context` tokens fed, first `length` valid
        self.length = 0
        self._cached = 0                         # window positions whose keys and values are cached
        self._logits_fresh = False               # _logits belong to the window as it is now
        self._keys = e(cfg.layers, H, T, C // H)     # (L,H,T,hs) per layer, head and position
        self._values = e(cfg.layers, H, T, C // H)
        self._mask = np.triu(np.full((T, T), -np.inf, dtype), k=1)   # (T_query, T_key): -inf if key > query
        # activations of up to T new rows, reused by every layer
        self._x = e(T, C)                        # residual stream
        self._norm, self._square, self._rstd = e(T, C), e(T, C), e(T, 1)
        self._mean_col = np.full((C, 1), 1.0 / C, dtype)
        self._qkv = e(T, 3 * C)
        self._scores = e(H, T, T)                # (H, new queries, keys)
        self._head_stat = e(H, T, 1)
        self._atty = e(T, C)
        self._branch = e(T, C)
        self._h, self._half_gate, self._hg = e(T, 4 * C), e(T, 4 * C), e(T, 4 * C)
        self._logits = e(1, cfg.vocab_size)

    def feed(self, ids) -> None:
        """Read more tokens, ids (n,) int. The work is done when `next_logits` is asked for."""
        ids = np.asarray(ids, np.int64).reshape(-1)
        n, T = ids.size, self.cfg.context
        if n == 0:
            return
        if self.length + n <= T:
            self._window[self.length:self.length + n] = ids
            self.length += n
        else:                                    # the window slides: every position changes
            kept = T - min(n, T)
            self._window[:kept] = self._window[self.length - kept:self.length]
            self._window[kept:] = ids[-(T - kept):]
            self.length, self._cached = T, 0
        self._logits_fresh = False

    def next_logits(self) -> np.ndarray:
        """(V,) the logits for the token after those fed; a view, overwritten by the next call."""
        if self.length == 0:
            raise ValueError("The decoder needs at least one token before it can predict the next.")
        if not self._logits_fresh:
            self._forward(self._cached, self.length)
            self._cached, self._logits_fresh = self.length, True
        return self._logits[0]

    def _forward(self, start: int, end: int) -> None:
        """Run window positions start..end-1, attending to the cache before them; keep their keys
        and values, and the logits after the last."""
        t, H = end - start, self.cfg.heads
        x = self._x[:t]                                              # (t,C)
        np.take(self._wte, self._window[start:end], axis=0, out=x, mode="clip")
        x += self._wpe[start:end]
        last_layer = len(self._blocks) - 1
        for i, (wqkv, bqkv, wo, bo, w1, b1, w2, b2) in enumerate(self._blocks):
            rows = t if i < last_layer else 1     # only the last row feeds the logits
            norm = self._norm[:t]
            _normalise(norm, self._square[:t], self._rstd[:t], x, self._mean_col)
            qkv = self._qkv[:t]
            L.linear_forward(qkv, norm, wqkv, bqkv)
            q, k, v = qkv.reshape(t, 3, H, -1).transpose(1, 2, 0, 3)    # each (H,t,hs)
            self._keys[i, :, start:end] = k
            self._values[i, :, start:end] = v
            q = q[:, t - rows:]                                       # (H,rows,hs), already scaled
            scores = self._scores[:, :rows, :end]                     # (H,rows,end)
            np.matmul(q, self._keys[i, :, :end].transpose(0, 2, 1), out=scores)
            if rows > 1:
                scores += self._mask[start:end, :end]
            stat = self._head_stat[:, :rows]                         # (H,rows,1)
            np.maximum.reduce(scores, axis=-1, keepdims=True, out=stat)   # the ufunc's own reduce:
            scores -= stat                                                 # np.max's wrapper costs
            np.exp(scores, out=scores)                                     # more than the work here
            np.add.reduce(scores, axis=-1, keepdims=True, out=stat)
            scores /= stat
            atty = self._atty[:rows]                                  # (rows,C)
            np.matmul(scores, self._values[i, :, :end], out=atty.reshape(rows, H, -1).transpose(1, 0, 2))
            x, t = x[t - rows:], rows
            branch, norm = self._branch[:t], self._norm[:t]
            L.linear_forward(branch, atty, wo, bo)
            x += branch
            _normalise(norm, self._square[:t], self._rstd[:t], x, self._mean_col)
            L.linear_forward(self._h[:t], norm, w1, b1)
            L.gelu_forward(self._hg[:t], self._half_gate[:t], self._h[:t])
            L.linear_forward(branch, self._hg[:t], w2, b2)
            x += branch
        norm = self._norm[:1]
        _normalise(norm, self._square[:1], self._rstd[:1], x[-1:], self._mean_col)
        L.linear_forward(self._logits, norm, *self._head)


# LayerNorm's gain and bias are folded into the linear layer after it (ln(x) @ W + c equals
# xhat @ (g[:, None] * W) + (b @ W + c)): a token then costs two fewer NumPy calls per norm.
# Each is a new array, so the decoder's weights are a copy.

def _fold_norm(g, b, w, bias) -> tuple[np.ndarray, np.ndarray]:
    """(IC,OC) weight and (OC,) bias of `linear(layernorm(x))` acting on the normalised x."""
    return g[:, None] * w, b @ w + bias


def _folded_block(params: dict[str, np.ndarray], h: str, q_scale: float) -> tuple[np.ndarray, ...]:
    """A block's weights with both norms folded in, and attention's 1/sqrt(head size) folded
    into the query columns (the first C of qkv)."""
    P = params
    wqkv, bqkv = _fold_norm(P[h + "ln1.g"], P[h + "ln1.b"], P[h + "attn.wqkv"], P[h + "attn.bqkv"])
    C = wqkv.shape[0]
    wqkv[:, :C] *= q_scale
    bqkv[:C] *= q_scale
    return (wqkv, bqkv, P[h + "attn.wo"].copy(), P[h + "attn.bo"].copy(),
            *_fold_norm(P[h + "ln2.g"], P[h + "ln2.b"], P[h + "mlp.w1"], P[h + "mlp.b1"]),
            P[h + "mlp.w2"].copy(), P[h + "mlp.b2"].copy())


def _normalise(out, square, rstd, x, mean_col):
    """out (N,C) = (x - mean) / std per row, LayerNorm without its gain and bias (folded, above);
    square (N,C) and rstd (N,1) scratch; mean_col (C,1) filled with 1/C: x @ it gives row means."""
    np.matmul(x, mean_col, out=rstd)
    np.subtract(x, rstd, out=out)
    np.square(out, out=square)
    np.matmul(square, mean_col, out=rstd)
    rstd += L.LN_EPS
    np.power(rstd, -0.5, out=rstd)
    out *= rstd
