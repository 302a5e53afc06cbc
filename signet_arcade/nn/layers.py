"""The transformer's layers, each a `_forward` / `_backward` pair side by side (after llm.c).

Conventions, as in llm.c's train_gpt2.c:
- Outputs come first in the argument list, then inputs. Every array is preallocated by the caller
  (see model.py's Workspace) and written with `out=`: at the kiosk's small sizes a step is bound by
  the number of NumPy calls and by allocations, not by arithmetic.
- The cache is explicit: whatever a `_backward` needs from its `_forward` is passed back in by name.
- Parameter gradients are overwritten (every parameter is used exactly once per step); the gradient
  of the residual stream is accumulated (`+=`), because two branches and the skip path feed it.
- N = B*t rows (batch times sequence length), C channels, H heads, hs = C/H head size, V vocab.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

LN_EPS = 1e-5
_GELU_S = float(np.sqrt(2.0 / np.pi))
_GELU_C = 0.044715


# --- token + position embedding -------------------------------------------------------------

def embedding_forward(out, wte, wpe, idx):
    """out (B,t,C) = wte[idx] + wpe[:t];  idx int (B,t), wte (V,C), wpe (T,C)."""
    np.take(wte, idx, axis=0, out=out, mode="clip")  # ids were validated; "clip" avoids a buffered copy
    out += wpe[: idx.shape[1]]


def embedding_backward(dwte, dwpe, dout, idx, onehot):
    """dwte (V,C), dwpe (T,C) from dout (B,t,C); onehot (N,V) is scratch.

    A one-hot matmul sums the rows of repeated tokens in one BLAS call; np.add.at is slower here."""
    B, t, C = dout.shape
    onehot.fill(0)
    onehot[np.arange(B * t), idx.ravel()] = 1
    np.matmul(onehot.T, dout.reshape(B * t, C), out=dwte)
    _sum_rows(dout.reshape(B, t * C), out=dwpe[:t].reshape(-1))
    dwpe[t:] = 0


# --- LayerNorm (biased variance) ------------------------------------------------------------

def layernorm_forward(out, xhat, rstd, x, g, b):
    """out, xhat (N,C); rstd (N,1); x (N,C); g, b (C,)."""
    mean_col = _constant((x.shape[1], 1), 1.0 / x.shape[1], x.dtype)   # x @ it: row means
    np.matmul(x, mean_col, out=rstd)                   # rstd briefly holds the mean
    np.subtract(x, rstd, out=xhat)
    np.square(xhat, out=out)
    np.matmul(out, mean_col, out=rstd)                 # biased variance
    rstd += LN_EPS
    np.power(rstd, -0.5, out=rstd)
    xhat *= rstd
    np.multiply(xhat, g, out=out)
    out += b


def layernorm_backward(dx, dg, db, dout, xhat, rstd, g, scratch, row_stat):
    """dx (N,C) += input gradient; dg, db (C,); dout (N,C) is consumed (overwritten);
    xhat (N,C), rstd (N,1) the forward's cache; scratch (N,C) and row_stat (N,1) scratch."""
    inv_C = 1.0 / xhat.shape[1]
    np.multiply(dout, xhat, out=scratch)
    _sum_rows(scratch, out=dg)
    _sum_rows(dout, out=db)
    # dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dout * g
    np.matmul(scratch, g[:, None], out=row_stat)       # sum(dxhat * xhat) per row ...
    row_stat *= inv_C                                   # ... as a mean
    np.multiply(xhat, row_stat, out=scratch)
    np.matmul(dout, g[:, None], out=row_stat)
    row_stat *= inv_C                                   # mean(dxhat) per row
    scratch += row_stat
    np.multiply(dout, g, out=dout)                      # dout is consumed: it becomes dxhat
    dout -= scratch
    dout *= rstd
    dx += dout


# --- Linear: y = x @ W + b ------------------------------------------------------------------

def linear_forward(out, x, w, b):
    """out (N,OC) = x (N,IC) @ w (IC,OC) + b (OC,)."""
    np.matmul(x, w, out=out)
    out += b


def linear_backward(dx, dw, db, dout, x, w):
    """dx (N,IC), dw (IC,OC), db (OC,) overwritten; dout (N,OC); x (N,IC); w (IC,OC)."""
    np.matmul(x.T, dout, out=dw)
    _sum_rows(dout, out=db)
    np.matmul(dout, w.T, out=dx)


# --- causal self-attention ------------------------------------------------------------------
#
# The attention weights are stored keys-first within each sequence: att[b, j, h, i] is how much
# query i attends to key j, shape (B, t_j, H, t_i). The softmax then reduces over the middle
# axis of a (B, t_j, H*t_i) array, which NumPy vectorises; along a short last axis (the
# (B,H,t_i,t_j) layout) the same max and sum take 3-5x longer. `per_head(att)` gives the usual
# (B, H, t_i, t_j) orientation as a view.

def per_head(att):
    """att (B,t_j,H,t_i) -> (B,H,t_i,t_j) view: row i is query i's weights over keys j."""
    return att.transpose(0, 2, 3, 1)


def _keys_by_queries(a):
    """att-shaped (B,t_j,H,t_i) -> (B,H,t_j,t_i) view, per head a keys x queries matrix."""
    return a.transpose(0, 2, 1, 3)


def _split_heads(a, B, t, H):
    """(B,t,C) or (N,C) -> a (B,H,t,hs) view, no copy."""
    return a.reshape(B, t, H, -1).transpose(0, 2, 1, 3)


def _qkv_heads(qkv, H):
    """qkv (B,t,3C) with last axis [q | k | v] -> three (B,H,t,hs) views, no copy."""
    B, t, C3 = qkv.shape
    q, k, v = qkv.reshape(B, t, 3, H, C3 // (3 * H)).transpose(2, 0, 3, 1, 4)
    return q, k, v


def attention_forward(out, att, qkv, mask, col_stat):
    """out (B,t,C) merged heads; att (B,t_j,H,t_i) softmax weights (cache, see above);
    qkv (B,t,3C) — its q part is scaled in place by 1/sqrt(hs), and stays so as part of the cache;
    mask (t_j,1,t_i) 0 where j <= i, -inf where j > i (no peeking ahead); col_stat (B,1,H*t_i)."""
    B, t, H, _ = att.shape
    q, k, v = _qkv_heads(qkv, H)
    q *= 1.0 / math.sqrt(q.shape[-1])                   # on (B,H,t,hs), cheaper than on the scores
    np.matmul(k, q.transpose(0, 1, 3, 2), out=_keys_by_queries(att))   # scores
    att += mask
    scores = att.reshape(B, t, H * t)                   # softmax over axis 1 (the keys)
    np.max(scores, axis=1, keepdims=True, out=col_stat)
    scores -= col_stat
    np.exp(scores, out=scores)
    np.matmul(_constant((1, t), 1.0, att.dtype), scores, out=col_stat)
    scores /= col_stat
    np.matmul(per_head(att), v, out=_split_heads(out, B, t, H))   # (B,H,t,hs) straight into (B,t,C)


def attention_backward(dqkv, datt, dout, out, att, qkv, col_stat, head_scratch):
    """dqkv (B,t,3C) overwritten; datt (B,t_j,H,t_i) scratch; dout, out (B,t,C); att, qkv the
    forward's cache; col_stat (B,1,H*t_i) and head_scratch (B,H,t,hs) scratch."""
    B, t, H, _ = att.shape
    q, k, v = _qkv_heads(qkv, H)                        # q is already scaled
    dq, dk, dv = _qkv_heads(dqkv, H)
    dy = _split_heads(dout, B, t, H)                    # (B,H,t,hs)
    np.matmul(v, dy.transpose(0, 1, 3, 2), out=_keys_by_queries(datt))
    np.matmul(_keys_by_queries(att), dy, out=dv)
    # softmax backward: dscores = att * (datt - sum_j att*datt). That row sum equals dy . y
    # (because y = att @ v): a sum over hs instead of t.
    np.multiply(dy, _split_heads(out, B, t, H), out=head_scratch)
    hs = head_scratch.shape[-1]
    np.matmul(head_scratch.reshape(-1, hs), _constant((hs, 1), 1.0, att.dtype), out=col_stat.reshape(-1, 1))
    datt -= col_stat.reshape(B, 1, H, t)
    datt *= att
    np.matmul(per_head(datt), k, out=dq)
    dq *= 1.0 / math.sqrt(hs)
    np.matmul(_keys_by_queries(datt), q, out=dk)


# --- GELU, tanh approximation ---------------------------------------------------------------

def gelu_forward(out, half_gate, x):
    """out = x * half_gate, half_gate = (1 + tanh(s*(x + c*x^3))) / 2 is the cache; all (N,4C)."""
    np.multiply(x, x, out=half_gate)
    half_gate *= _GELU_S * _GELU_C
    half_gate += _GELU_S
    half_gate *= x                                      # s*(x + c*x^3)
    np.tanh(half_gate, out=half_gate)
    half_gate *= 0.5
    half_gate += 0.5
    np.multiply(x, half_gate, out=out)


def gelu_backward(dx, dout, x, half_gate, scratch):
    """dx (N,4C) overwritten; dout, x, half_gate (N,4C); scratch (N,4C).

    With P = half_gate, 1 - tanh^2 = 4P(1-P), so d/dx [x P] = P + P(1-P) * x*(2s + 6cs*x^2)."""
    np.subtract(1.0, half_gate, out=dx)
    dx *= half_gate
    np.multiply(x, x, out=scratch)
    scratch *= 6.0 * _GELU_S * _GELU_C
    scratch += 2.0 * _GELU_S
    scratch *= x
    dx *= scratch
    dx += half_gate
    dx *= dout


# --- softmax cross-entropy ------------------------------------------------------------------

def crossentropy_forward(probs, logits, targets, row_stat):
    """Mean cross-entropy over N rows; probs (N,V) softmax is the cache; logits (N,V);
    targets int (N,); row_stat (N,1) scratch. The loss comes from the logits (log-sum-exp),
    so a probability that underflows to 0 never turns into an infinite loss."""
    rows = np.arange(len(targets))
    np.max(logits, axis=-1, keepdims=True, out=row_stat)
    np.subtract(logits, row_stat, out=probs)
    target_logit = probs[rows, targets]                 # (N,) shifted logit of the right answer
    np.exp(probs, out=probs)
    np.matmul(probs, _constant((probs.shape[1], 1), 1.0, probs.dtype), out=row_stat)
    probs /= row_stat
    return float(np.mean(np.log(row_stat[:, 0]) - target_logit))


def crossentropy_backward(probs, targets):
    """In place: probs (N,V), the forward's cache, becomes dlogits = (probs - onehot(targets)) / N."""
    probs[np.arange(len(targets)), targets] -= 1.0
    probs *= 1.0 / len(targets)


# --- reductions as matmuls ------------------------------------------------------------------
# A row or column sum written as a matmul with a ones vector is one BLAS call; np.sum along a
# short axis takes 3-4x longer at these sizes.

def _sum_rows(a, out):
    """out (K,) = a (M,K) summed over its rows."""
    np.matmul(_constant((a.shape[0],), 1.0, a.dtype), a, out=out)


@lru_cache(maxsize=128)
def _constant(shape, value, dtype):
    """A read-only array filled with `value` (ones to sum with, 1/n to average with)."""
    a = np.full(shape, value, dtype)
    a.setflags(write=False)
    return a
