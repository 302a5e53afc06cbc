"""Writing a sample a few characters at a time, so a long sample never freezes a frame.

The writer keeps one Decoder for the whole sample: it holds a copy of the weights taken when the
sample starts (the step the sample is labelled with), so training between chunks changes nothing,
its key/value cache stays valid, and a sample written in chunks is the same as one written in one go.
"""
from __future__ import annotations

import numpy as np

from signet_arcade.nn import GPT, CharTokenizer
from signet_arcade.nn.decode import Decoder
from signet_arcade.nn.sampling import check_ids, generate_from
from signet_arcade.snapshot import Sample, frozen_array

ALTERNATIVES = 3           # top choices remembered per written character


class SampleWriter:
    def __init__(self, model: GPT, tokenizer: CharTokenizer, prompt_ids: np.ndarray, temperature: float,
                 seed: int, step: int):
        self.tokenizer, self.temperature, self.step = tokenizer, temperature, step
        self.rng = np.random.default_rng(seed)
        self._decoder = Decoder(model.cfg, model.params)
        self._decoder.feed(check_ids(prompt_ids, model.cfg.vocab_size))
        self._text: list[str] = []
        self._probs: list[np.ndarray] = []
        self._alternatives: list = []
        self.length = 0

    def ready(self) -> bool:
        """Characters can be written now (always, here; see sample_worker)."""
        return True

    def write(self, n: int) -> None:
        if n <= 0:
            return
        out = generate_from(self._decoder, self.tokenizer, n, self.temperature, self.rng, top=ALTERNATIVES)
        self._text.append(out.text)
        self._probs.append(out.probs)
        self._alternatives.extend(out.alternatives)
        self.length += n

    def sample(self) -> Sample:
        probs = np.concatenate(self._probs) if self._probs else np.zeros(0, np.float32)
        return Sample(text="".join(self._text), probs=frozen_array(probs, np.float32),
                      alternatives=tuple(self._alternatives), step=self.step)
