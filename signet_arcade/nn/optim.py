"""AdamW and gradient-norm clipping over a dict of parameter arrays.

When the arrays of a dict are consecutive views of one flat buffer (as GPT's params and grads
are, see flat.py), each runs on the whole buffer at once.
"""
from __future__ import annotations

import numpy as np

from .flat import flat_buffer, views_of_one_buffer


def clip_grad_norm(grads: dict, max_norm: float) -> float:
    """Scale all gradients in place so their joint L2 norm is at most max_norm.
    Returns the norm before clipping; inf or nan come back as they are (nothing is scaled),
    so the caller can detect a diverging step."""
    flat = flat_buffer(grads)
    chunks = [flat] if flat is not None else [g.reshape(-1) for g in grads.values()]
    norm = float(np.sqrt(sum(float(np.dot(c, c)) for c in chunks)))
    if np.isfinite(norm) and norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for c in chunks:
            c *= scale
    return norm


class _Chunk:
    """Arrays that one pass of the update runs over: the whole flat buffer, or one parameter."""

    def __init__(self, param, grad, m, v, decay_mask):
        self.param, self.grad, self.m, self.v = param, grad, m, v
        self.scratch = np.empty_like(param)
        self._decay_mask = decay_mask                    # 1 where weight decay applies, else 0
        self._decay_for, self._factor = None, None

    def decay_factor(self, lr_times_wd: float):
        """1 - lr*wd on decayed entries, 1 elsewhere; recomputed only when lr or wd change."""
        if lr_times_wd != self._decay_for:
            self._decay_for, self._factor = lr_times_wd, 1.0 - lr_times_wd * self._decay_mask
        return self._factor


class AdamW:
    """Adam with bias correction and decoupled weight decay (Loshchilov & Hutter), like
    torch.optim.AdamW. Weight decay applies to 2-D weight matrices only, never to biases or
    LayerNorm gains. `lr` may be changed between steps."""

    def __init__(self, params: dict, lr: float = 3e-4, betas=(0.9, 0.99), eps: float = 1e-8,
                 weight_decay: float = 0.01):
        if not params:
            raise ValueError("AdamW needs at least one parameter to optimise.")
        self.params = params
        self.lr = lr
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.step_count = 0
        shapes = {k: p.shape for k, p in params.items()}
        dtype = next(iter(params.values())).dtype
        self._m = views_of_one_buffer(shapes, dtype)     # first moment, per parameter
        self._v = views_of_one_buffer(shapes, dtype)     # second moment
        self._flat_m, self._flat_v = flat_buffer(self._m), flat_buffer(self._v)
        self._plan_key: tuple = ()
        self._plan: list[_Chunk] = []

    def step(self, grads: dict):
        """One update of every parameter in place from `grads` (same keys and shapes)."""
        chunks = self._chunks(grads)                     # validates before anything changes
        self.step_count += 1
        lr, (b1, b2), t = float(self.lr), self.betas, self.step_count   # a NumPy float64 lr would
        step_size = lr / (1.0 - b1 ** t)                                 # drag float32 maths to float64
        inv_bias2 = 1.0 / (1.0 - b2 ** t)
        for c in chunks:
            p, g, m, v, scratch = c.param, c.grad, c.m, c.v, c.scratch
            m -= g                                       # m = b1*m + (1-b1)*g
            m *= b1
            m += g
            np.multiply(g, g, out=scratch)               # v = b2*v + (1-b2)*g^2
            v -= scratch
            v *= b2
            v += scratch
            if self.weight_decay:                        # decoupled: p -= lr*wd*p, before Adam
                p *= c.decay_factor(lr * self.weight_decay)
            np.multiply(v, inv_bias2, out=scratch)       # p -= step_size * m / (sqrt(v_hat) + eps)
            np.sqrt(scratch, out=scratch)
            scratch += self.eps
            np.divide(m, scratch, out=scratch)
            scratch *= step_size
            p -= scratch

    def _chunks(self, grads: dict) -> list[_Chunk]:
        """The whole flat buffer as one chunk when params and grads both are one buffer in the
        same order, else one chunk per parameter. Planned once, while the arrays stay the same."""
        key = tuple(self.params.values()) + tuple(grads.values())
        if len(key) != len(self._plan_key) or any(a is not b for a, b in zip(key, self._plan_key)):
            self._plan = self._make_plan(grads)
            self._plan_key = key
        return self._plan

    def _make_plan(self, grads: dict) -> list[_Chunk]:
        if list(grads) != list(self.params):
            raise ValueError("The gradients' names do not match the parameters' names.")
        for k, p in self.params.items():
            if grads[k].shape != p.shape:
                raise ValueError(f"The gradient of {k} has shape {grads[k].shape}, but the parameter has {p.shape}.")
        flat_p, flat_g = flat_buffer(self.params), flat_buffer(grads)
        if flat_p is not None and flat_g is not None:
            decay_mask = np.concatenate([np.full(p.size, float(p.ndim == 2), p.dtype) for p in self.params.values()])
            return [_Chunk(flat_p, flat_g, self._flat_m, self._flat_v, decay_mask)]
        return [_Chunk(p, grads[k], self._m[k], self._v[k], float(p.ndim == 2)) for k, p in self.params.items()]

    # --- checkpoints ------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the moments, keyed "m.<param>" and "v.<param>", and "step" (int64 scalar)."""
        state = {f"m.{k}": a.copy() for k, a in self._m.items()}
        state.update({f"v.{k}": a.copy() for k, a in self._v.items()})
        state["step"] = np.array(self.step_count, np.int64)
        return state

    def load_state_dict(self, state: dict):
        """Restore from state_dict(); checks everything first, so a bad state changes nothing."""
        expected = {f"{kind}.{k}": p.shape for kind in ("m", "v") for k, p in self.params.items()}
        expected["step"] = ()
        missing, extra = expected.keys() - state.keys(), state.keys() - expected.keys()
        if missing or extra:
            raise ValueError(f"The optimizer state does not fit this model: missing {sorted(missing)[:3]}, "
                             f"unexpected {sorted(extra)[:3]}.")
        for name, shape in expected.items():
            a = np.asarray(state[name])
            if a.shape != shape:
                raise ValueError(f"The optimizer state {name} has shape {a.shape}, but this model needs {shape}.")
            valid = int(a) >= 0 if name == "step" else np.all(np.isfinite(a)) and (name[0] == "m" or a.min() >= 0)
            if not valid:
                raise ValueError(f"The optimizer state {name} holds invalid values.")
        for k in self.params:
            self._m[k][...] = state[f"m.{k}"]
            self._v[k][...] = state[f"v.{k}"]
        self.step_count = int(state["step"])

