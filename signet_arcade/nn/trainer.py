"""Training the GPT on one text, one step at a time, safe to leave running for a week.

Each `step()` draws random (B, context) windows of the text, runs forward + backward, clips the
gradient norm and takes an AdamW step. A divergence guard keeps a copy of recent good weights and
optimizer state (refreshed every GOOD_EVERY steps into preallocated buffers, so the copy costs
nothing per step): when the loss or the gradient stops being a finite number, or the loss shoots
far above where training started, it rewinds to that copy, lowers the learning rate and leaves a
sentence for the screen in `pop_events()`.
"""
from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np

from signet_arcade.nn.baseline import bigram_baseline_loss
from signet_arcade.nn.config import DEFAULT_BATCH_SIZE, GPTConfig
from signet_arcade.nn.loss_history import LossHistory
from signet_arcade.nn.model import GPT
from signet_arcade.nn.optim import AdamW, clip_grad_norm
from signet_arcade.nn.tokenizer import CharTokenizer, clean_text

MAX_BATCH_SIZE = 256
MAX_LR = 1e3
LR_FLOOR = 1e-5
LR_CUT = 3.0              # divide the learning rate by this after a blow-up
MAX_GRAD_NORM = 1.0
GOOD_EVERY = 50           # steps between copies of the last good weights
EXPLODED = 3.0            # a loss this many times a uniform guess's loss (ln V) has blown up
MAX_EVENTS = 8            # sentences kept for the screen if nobody reads them


class Trainer:
    def __init__(self, text: str, cfg: GPTConfig | None = None, lr: float = 3e-4,
                 batch_size: int | None = None, seed: int = 0):
        self.text = clean_text(text)              # cleaning a clean text again is quick
        self.tokenizer = CharTokenizer.from_text(self.text)
        self.data = self.tokenizer.encode(self.text)                      # (n,) int64
        V = self.tokenizer.vocab_size
        if cfg is not None and not isinstance(cfg, GPTConfig):
            raise ValueError(f"The architecture must be a GPTConfig, not {type(cfg).__name__}.")
        # The vocabulary always comes from the text; the rest of the architecture from `cfg`.
        self.cfg = GPTConfig(vocab_size=V) if cfg is None else dataclasses.replace(cfg, vocab_size=V)
        T = self.cfg.context
        if self.data.size < T + 1:
            raise ValueError(f"The text is too short: a context of {T} characters needs at least "
                             f"{T + 1} characters of text, and this one has {self.data.size}.")
        self.batch_size = _check_batch_size(DEFAULT_BATCH_SIZE if batch_size is None else batch_size)
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"The seed must be a whole number of zero or more, not {seed!r}.")
        self.seed = int(seed)
        self.rng = np.random.default_rng(self.seed)
        self.model = GPT(self.cfg, seed=self.seed)
        self.optimizer = AdamW(self.model.params, lr=_check_lr(lr))
        self.history = LossHistory()
        self.step_count = 0
        self.baseline_loss = bigram_baseline_loss(self.data, V)
        self._explode_above = EXPLODED * math.log(V)
        self._window = np.arange(T + 1)                                    # (T+1,)
        self._events: list[str] = []
        self._good_params = {k: np.empty_like(p) for k, p in self.model.params.items()}
        self._good_optimizer: dict = {}
        self._good_step = 0
        self.remember_good()

    # --- the learning rate is live: the visitor's slider sets it between steps --------------
    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = _check_lr(value)

    @property
    def losses(self) -> np.ndarray:
        """(n,) float32 raw losses, decimated to at most a few thousand points (read-only)."""
        return self.history.values

    def step(self) -> float:
        """One training step. Returns its loss; after a blow-up, which is undone, it returns the
        last good loss instead (never NaN) and `pop_events()` explains what happened."""
        idx, targets = self._batch()
        with np.errstate(all="ignore"):          # overflow is caught just below, not printed
            loss, grads = self.model.loss_and_grads(idx, targets)
            grad_norm = clip_grad_norm(grads, MAX_GRAD_NORM)
        if not (math.isfinite(loss) and math.isfinite(grad_norm)) or loss > self._explode_above:
            self._rewind()
            return self.last_loss
        if self.step_count % GOOD_EVERY == 0:
            self.remember_good()
        self.optimizer.step(grads)
        self.step_count += 1
        self.history.record(self.step_count, float(loss))
        return float(loss)

    @property
    def last_loss(self) -> float:
        """The latest finite loss; ln V (a uniform guess) before the first step."""
        return self.history.last if len(self.history) else math.log(self.cfg.vocab_size)

    def pop_events(self) -> list[str]:
        """Sentences for the screen about what the trainer did on its own, oldest first."""
        events, self._events = self._events, []
        return events

    def _batch(self) -> tuple[np.ndarray, np.ndarray]:
        """Random windows: inputs idx (B, T) and targets (B, T), the same text shifted by one."""
        starts = self.rng.integers(0, self.data.size - self.cfg.context, size=(self.batch_size, 1))
        windows = self.data[starts + self._window]                         # (B, T+1)
        return windows[:, :-1], windows[:, 1:]

    def remember_good(self) -> None:
        """Copy the current weights and optimizer state as the place to rewind to."""
        for name, p in self.model.params.items():
            np.copyto(self._good_params[name], p)
        self._good_optimizer = self.optimizer.state_dict()        # copies, by its contract
        self._good_step = self.step_count

    def _rewind(self) -> None:
        for name, p in self.model.params.items():
            np.copyto(p, self._good_params[name])
        self.optimizer.load_state_dict(self._good_optimizer)     # copies into its own buffers
        self.lr = max(self.lr / LR_CUT, min(self.lr, LR_FLOOR))
        self._events.append(
            f"The learning rate was too high and the model blew up. We rewound it to step "
            f"{self._good_step} and lowered the learning rate to {self.lr:.1e}.")
        del self._events[:-MAX_EVENTS]


def _check_lr(lr) -> float:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not (0 < lr <= MAX_LR):
        raise ValueError(f"The learning rate must be a number above 0 and at most {MAX_LR:g}, not {lr!r}.")
    return float(lr)


def _check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
            or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"The batch size must be a whole number from 1 to {MAX_BATCH_SIZE}, not {batch_size!r}.")
    return int(batch_size)
