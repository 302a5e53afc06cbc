"""Writing a sample a few characters at a time, so a long sample never freezes a frame.

Each chunk continues from everything written so far with the same random generator, so a sample
written in chunks is the same as one written in one go.
"""
from __future__ import annotations

import numpy as np

from signet_arcade.nn import GPT, CharTokenizer
from signet_arcade.nn.sampling import generate
from signet_arcade.snapshot import Sample, frozen_array

ALTERNATIVES = 3           # top choices remembered per written character


class SampleWriter:
    def __init__(self, model: GPT, tokenizer: CharTokenizer, prompt_ids: np.ndarray, temperature: float,
                 seed: int, step: int):
        self.model, self.tokenizer, self.temperature, self.step = model, tokenizer, temperature, step
        self.rng = np.random.default_rng(seed)
        self._ids = np.asarray(prompt_ids, np.int64)               # (p,) then (p+n,) as it writes
        self._prompt_length = self._ids.size
        self._text: list[str] = []
        self._probs: list[np.ndarray] = []
        self._alternatives: list = []
        self.length = 0

    def write(self, n: int) -> None:
        if n <= 0:
            return
        out = generate(self.model, self.tokenizer, self._ids, n, self.temperature, self.rng, top=ALTERNATIVES)
        self._ids = np.concatenate([self._ids, out.ids])
        self._text.append(out.text)
        self._probs.append(out.probs)
        self._alternatives.extend(out.alternatives)
        self.length += n

    def sample(self) -> Sample:
        probs = np.concatenate(self._probs) if self._probs else np.zeros(0, np.float32)
        return Sample(text="".join(self._text), probs=frozen_array(probs, np.float32),
                      alternatives=tuple(self._alternatives), step=self.step)
