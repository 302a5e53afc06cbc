"""A character-level GPT in NumPy: forward, backward, and the attention weights for the panels.

Pre-LayerNorm blocks `x += attn(ln1(x)); x += mlp(ln2(x))`, then `lnf` and a linear `head`.
The layer maths lives in layers.py; this file wires the layers together and owns the memory.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .config import GPTConfig
from .flat import views_of_one_buffer
from . import layers as L

_INIT_STD = 0.02
_WORKSPACES_KEPT = 4   # training uses one (B,t); sampling and the panels cycle through a few more


def parameter_shapes(cfg: GPTConfig) -> dict[str, tuple[int, ...]]:
    """Every parameter's name and shape, in the model's canonical order."""
    C, V, T = cfg.embed, cfg.vocab_size, cfg.context
    shapes = {"wte": (V, C), "wpe": (T, C)}
    for i in range(cfg.layers):
        shapes.update({
            f"h{i}.ln1.g": (C,), f"h{i}.ln1.b": (C,),
            f"h{i}.attn.wqkv": (C, 3 * C), f"h{i}.attn.bqkv": (3 * C,),
            f"h{i}.attn.wo": (C, C), f"h{i}.attn.bo": (C,),
            f"h{i}.ln2.g": (C,), f"h{i}.ln2.b": (C,),
            f"h{i}.mlp.w1": (C, 4 * C), f"h{i}.mlp.b1": (4 * C,),
            f"h{i}.mlp.w2": (4 * C, C), f"h{i}.mlp.b2": (C,),
        })
    shapes.update({"lnf.g": (C,), "lnf.b": (C,), "head.w": (C, V), "head.b": (V,)})
    return shapes


class Workspace:
    """Every activation and scratch array of one forward + backward at batch B, length t.

    Allocated once per (B,t) and reused: the arrays below are the forward's cache."""

    def __init__(self, cfg: GPTConfig, B: int, t: int, dtype):
        C, H, V, N = cfg.embed, cfg.heads, cfg.vocab_size, B * t
        e = lambda *shape: np.empty(shape, dtype)  # noqa: E731
        self.mask = np.tril(np.full((t, t), -np.inf, dtype), k=-1)[:, None, :]   # (t_j,1,t_i): -inf if j > i
        self.x = e(B, t, C)                      # residual stream, updated in place block by block
        self.blocks = [_BlockCache(B, t, C, H, e) for _ in range(cfg.layers)]
        self.lnf = _NormCache(N, C, e)
        self.logits = e(N, V)
        self.probs = e(N, V)
        # backward scratch, shared by all blocks because they run one after another
        self.dx = e(N, C)                        # gradient of the residual stream
        self.dnorm = e(N, C)
        self.dbranch = e(N, C)
        self.dqkv = e(B, t, 3 * C)
        self.datt = e(B, t, H, t)
        self.dh = e(N, 4 * C)
        self.dgelu = e(N, 4 * C)
        self.scratch_c = e(N, C)
        self.scratch_4c = e(N, 4 * C)
        self.scratch_heads = e(B, H, t, C // H)
        self.row_stat = e(N, 1)
        self.head_stat = e(B, 1, H * t)
        self.onehot = e(N, V)


class _NormCache:
    def __init__(self, N, C, e):
        self.out, self.xhat, self.rstd = e(N, C), e(N, C), e(N, 1)


class _BlockCache:
    def __init__(self, B, t, C, H, e):
        N = B * t
        self.ln1 = _NormCache(N, C, e)
        self.qkv = e(B, t, 3 * C)
        self.att = e(B, t, H, t)                 # keys-first, see layers.py
        self.atty = e(B, t, C)
        self.ln2 = _NormCache(N, C, e)
        self.h = e(N, 4 * C)
        self.half_gate = e(N, 4 * C)
        self.hg = e(N, 4 * C)
        self.branch = e(N, C)                    # a block branch's output before it joins x


class GPT:
    """The model. `params` and the gradients from `loss_and_grads` are dicts of arrays that are
    views into one flat buffer each; change weights in place (`params[k][...] = w`), do not
    rebind the dict's entries, or the optimizer loses its fast path."""

    def __init__(self, cfg: GPTConfig, seed: int = 0, dtype=np.float32):
        self.cfg = cfg
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"The model computes in float32 (or float64 for gradient checks), not {self.dtype}.")
        shapes = parameter_shapes(cfg)
        self.params = views_of_one_buffer(shapes, self.dtype)
        self.grads = views_of_one_buffer(shapes, self.dtype)
        self._init_weights(seed)
        self._workspaces: OrderedDict[tuple[int, int], Workspace] = OrderedDict()

    def _init_weights(self, seed: int):
        """nanoGPT's init: N(0, 0.02) weights, residual projections scaled by 1/sqrt(2*layers)
        (so the residual stream's variance does not grow with depth), zero biases, LN g=1 b=0."""
        rng = np.random.default_rng(seed)
        residual_std = _INIT_STD / np.sqrt(2 * self.cfg.layers)
        for name, p in self.params.items():
            kind = name.rsplit(".", 1)[-1]
            if kind == "g":
                p[...] = 1.0
            elif p.ndim == 2:
                std = residual_std if kind in ("wo", "w2") else _INIT_STD
                p[...] = rng.normal(0.0, std, p.shape)
            # biases and LayerNorm b stay at the zeros they were born with

    def num_params(self) -> int:
        return sum(p.size for p in self.params.values())

    # --- forward ----------------------------------------------------------------------------

    def forward(self, idx) -> np.ndarray:
        """idx int (B,t), 1 <= t <= context -> logits (B,t,V), a fresh array."""
        idx = self._check_tokens(idx, "idx")
        ws = self._forward(idx)
        return ws.logits.reshape(*idx.shape, -1).copy()

    def _forward(self, idx) -> Workspace:
        B, t = idx.shape
        ws = self._workspace(B, t)
        P, N, C = self.params, B * t, self.cfg.embed
        x = ws.x.reshape(N, C)
        L.embedding_forward(ws.x, P["wte"], P["wpe"], idx)
        for i, c in enumerate(ws.blocks):
            h = f"h{i}."
            L.layernorm_forward(c.ln1.out, c.ln1.xhat, c.ln1.rstd, x, P[h + "ln1.g"], P[h + "ln1.b"])
            L.linear_forward(c.qkv.reshape(N, -1), c.ln1.out, P[h + "attn.wqkv"], P[h + "attn.bqkv"])
            L.attention_forward(c.atty, c.att, c.qkv, ws.mask, ws.head_stat)
            L.linear_forward(c.branch, c.atty.reshape(N, C), P[h + "attn.wo"], P[h + "attn.bo"])
            x += c.branch
            L.layernorm_forward(c.ln2.out, c.ln2.xhat, c.ln2.rstd, x, P[h + "ln2.g"], P[h + "ln2.b"])
            L.linear_forward(c.h, c.ln2.out, P[h + "mlp.w1"], P[h + "mlp.b1"])
            L.gelu_forward(c.hg, c.half_gate, c.h)
            L.linear_forward(c.branch, c.hg, P[h + "mlp.w2"], P[h + "mlp.b2"])
            x += c.branch
        L.layernorm_forward(ws.lnf.out, ws.lnf.xhat, ws.lnf.rstd, x, P["lnf.g"], P["lnf.b"])
        L.linear_forward(ws.logits, ws.lnf.out, P["head.w"], P["head.b"])
        return ws

    # --- forward + backward -----------------------------------------------------------------

    def loss_and_grads(self, idx, targets) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy over all B*t positions, and its gradient for every parameter.

        The gradient arrays are reused by the next call: consume them (optimizer step, copy)
        before calling again."""
        idx = self._check_tokens(idx, "idx")
        targets = self._check_tokens(targets, "targets")
        if targets.shape != idx.shape:
            raise ValueError(f"targets have shape {targets.shape} but idx has shape {idx.shape}; they must match.")
        ws = self._forward(idx)
        flat_targets = targets.reshape(-1)
        loss = L.crossentropy_forward(ws.probs, ws.logits, flat_targets, ws.row_stat)
        self._backward(ws, idx, flat_targets)
        return loss, self.grads

    def _backward(self, ws: Workspace, idx, flat_targets):
        P, G = self.params, self.grads
        B, t = idx.shape
        N, C = B * t, self.cfg.embed
        L.crossentropy_backward(ws.probs, flat_targets)
        dlogits = ws.probs                               # the softmax cache became its gradient
        dx = ws.dx
        dx.fill(0)
        L.linear_backward(ws.dnorm, G["head.w"], G["head.b"], dlogits, ws.lnf.out, P["head.w"])
        L.layernorm_backward(dx, G["lnf.g"], G["lnf.b"], ws.dnorm, ws.lnf.xhat, ws.lnf.rstd, P["lnf.g"],
                             ws.scratch_c, ws.row_stat)
        for i in reversed(range(self.cfg.layers)):
            c, h = ws.blocks[i], f"h{i}."
            # x += mlp(ln2(x)): dx flows into the branch unchanged
            L.linear_backward(ws.dgelu, G[h + "mlp.w2"], G[h + "mlp.b2"], dx, c.hg, P[h + "mlp.w2"])
            L.gelu_backward(ws.dh, ws.dgelu, c.h, c.half_gate, ws.scratch_4c)
            L.linear_backward(ws.dnorm, G[h + "mlp.w1"], G[h + "mlp.b1"], ws.dh, c.ln2.out, P[h + "mlp.w1"])
            L.layernorm_backward(dx, G[h + "ln2.g"], G[h + "ln2.b"], ws.dnorm, c.ln2.xhat, c.ln2.rstd,
                                 P[h + "ln2.g"], ws.scratch_c, ws.row_stat)
            # x += attn(ln1(x))
            L.linear_backward(ws.dbranch, G[h + "attn.wo"], G[h + "attn.bo"], dx, c.atty.reshape(N, C),
                              P[h + "attn.wo"])
            L.attention_backward(ws.dqkv, ws.datt, ws.dbranch.reshape(B, t, C), c.atty, c.att, c.qkv,
                                 ws.head_stat, ws.scratch_heads)
            L.linear_backward(ws.dnorm, G[h + "attn.wqkv"], G[h + "attn.bqkv"], ws.dqkv.reshape(N, -1),
                              c.ln1.out, P[h + "attn.wqkv"])
            L.layernorm_backward(dx, G[h + "ln1.g"], G[h + "ln1.b"], ws.dnorm, c.ln1.xhat, c.ln1.rstd,
                                 P[h + "ln1.g"], ws.scratch_c, ws.row_stat)
        L.embedding_backward(G["wte"], G["wpe"], dx.reshape(B, t, C), idx, ws.onehot)

    # --- for the attention panel ------------------------------------------------------------

    def attention_maps(self, idx) -> np.ndarray:
        """Softmax attention weights (layers, heads, t, t) float32 for ONE sequence, idx (t,) or (1,t).
        Row i is how much position i looks at each earlier position (causal: zero above the diagonal)."""
        idx = np.asarray(idx)
        if idx.ndim == 1:
            idx = idx[None, :]
        if idx.ndim != 2 or idx.shape[0] != 1:
            raise ValueError(f"attention_maps takes one sequence, shape (t,) or (1, t); got shape {idx.shape}.")
        ws = self._forward(self._check_tokens(idx, "idx"))
        return np.stack([L.per_head(c.att)[0] for c in ws.blocks]).astype(np.float32, copy=False)

    # --- helpers ----------------------------------------------------------------------------

    def _check_tokens(self, idx, what: str) -> np.ndarray:
        idx = np.asarray(idx)
        if idx.ndim != 2:
            raise ValueError(f"{what} must be a 2-D array of token ids, shape (batch, length); got shape {idx.shape}.")
        if not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"{what} must hold whole-number token ids, not {idx.dtype} values.")
        t = idx.shape[1]
        if not 1 <= t <= self.cfg.context or idx.shape[0] < 1:
            raise ValueError(f"{what} has length {t} and batch {idx.shape[0]}; the length must be between 1 "
                             f"and the context ({self.cfg.context}) and the batch at least 1.")
        if idx.min() < 0 or idx.max() >= self.cfg.vocab_size:
            raise ValueError(f"{what} holds token ids outside 0..{self.cfg.vocab_size - 1} (the vocabulary).")
        return idx

    def _workspace(self, B: int, t: int) -> Workspace:
        key = (B, t)
        ws = self._workspaces.get(key)
        if ws is None:
            ws = self._workspaces[key] = Workspace(self.cfg, B, t, self.dtype)
            if len(self._workspaces) > _WORKSPACES_KEPT:
                self._workspaces.popitem(last=False)
        else:
            self._workspaces.move_to_end(key)
        return ws
