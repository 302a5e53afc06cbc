"""The training session: one Trainer, its text, the visitor's settings, and the Snapshot panels read.

Every Command goes through `apply`, which never raises: bad input becomes a notice on screen and
the previous state is kept. `train` runs steps inside a time budget; `snapshot` rebuilds the
read-only picture a few times a second, with costly introspection refreshed less often.
"""
from __future__ import annotations

import logging
import math
import os
import time
import weakref

import numpy as np

from signet_arcade import commands as cmd
from signet_arcade.bigram_sentences import top_pair_sentences
from signet_arcade.nn import DEFAULT_BATCH_SIZE, GPTConfig, Trainer
from signet_arcade.nn.introspect import attention_weights, embedding_projection, learned_bigrams
from signet_arcade.nn.sampling import next_char_probs
from signet_arcade.presets import DEFAULT_PRESET, list_presets, read_text_file
from signet_arcade.sample_worker import BackgroundSampleWriter, SampleWorkerPool
from signet_arcade.sample_writer import SampleWriter
from signet_arcade.settings import START_ARCHITECTURE
from signet_arcade.snapshot import Sample, Snapshot, frozen_array

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2_000_000       # more is never needed: training samples small windows
SAMPLE_EVERY = 200               # steps between samples
SAMPLE_LENGTH = 140              # characters per sample (fills the panel at 1080p)
SAMPLE_CHUNK = 4                 # characters written between training steps in live mode
MIN_SAMPLE_CHARS_PER_FRAME = 2   # ...and at least this many per frame while one is due
SNAPSHOT_EVERY = 0.2             # s of app time between snapshots
INTROSPECT_EVERY = 0.6           # s of app time between bigram/embedding/attention refreshes
NEXT_CONTEXT = 24                # characters of context shown on the next-token panel
ATTENTION_CHARS = 32             # characters on the attention panel
BIGRAM_CHARS = 16                # most frequent characters in the bigram heatmap

STEP_WORK_LIMIT = 3.0            # a step may cost this many default-architecture steps, at most

NEW_ARCHITECTURE = "New architecture: the model starts again from scratch."


def batch_size_for(cfg: GPTConfig) -> int:
    """Windows per training step: the default batch, fewer for big architectures, so that one
    step of the largest model a visitor can pick still leaves the window responsive (a step
    cannot be split across frames). Estimated from matmul work, so it is the same on every
    machine and offline renders stay deterministic."""
    def work_per_window(c: GPTConfig) -> int:      # multiply-adds of one forward pass
        return c.context * (c.layers * (12 * c.embed ** 2 + 2 * c.context * c.embed) + c.embed * c.vocab_size)
    default = GPTConfig(vocab_size=cfg.vocab_size)
    allowed = STEP_WORK_LIMIT * DEFAULT_BATCH_SIZE * work_per_window(default) / work_per_window(cfg)
    return max(1, min(DEFAULT_BATCH_SIZE, int(allowed)))


def _cores() -> int:
    """The cores this process may run on (a pinned kiosk may get fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:               # not on Linux
        return os.cpu_count() or 1


class Session:
    def __init__(self, settings):
        self.settings = settings
        self.running = bool(settings.autotrain)
        self.speed = int(settings.speed)
        self.temperature = float(settings.temperature)
        self.lr = float(settings.lr)
        self.seed = int(settings.seed)
        self.notice, self.notice_is_warning = "", False
        self.steps_per_s = 0.0
        self.fps = 0.0
        self.trainer: Trainer | None = None
        self.text, self.text_name = "", ""
        # Live training hands samples to a helper process when there is a core to spare for it.
        self._helpers = SampleWorkerPool() if _cores() > 1 else None
        # close() stops the helper; so does dropping the session (tests and scripts may not close).
        self.close = weakref.finalize(self, self._helpers.close) if self._helpers else (lambda: None)
        self._start_text()

    # --- commands ----------------------------------------------------------------------------
    def apply(self, command) -> None:
        """Carry out one Command. Never raises: a problem becomes a notice on screen."""
        try:
            self._apply(command)
        except ValueError as exc:       # the model's checks explain bad values in a sentence
            self._say(f"That cannot be used: {exc} Nothing was changed.", warning=True)
        except Exception as exc:        # a kiosk must survive anything a visitor can do
            log.exception("command %r failed", command)
            self._say(f"That did not work ({exc}). Nothing was changed.", warning=True)
        self._stale()

    def _apply(self, c) -> None:
        if isinstance(c, cmd.Train):
            self.running = True
        elif isinstance(c, cmd.Pause):
            self.running = False
        elif isinstance(c, cmd.StepOnce):
            self._steps(1)
        elif isinstance(c, cmd.Reset):
            self._rebuild(self.text, self.text_name, self.trainer.cfg)
            self._say("The model starts again from scratch.")
        elif isinstance(c, cmd.SetPreset):
            self._use_preset(c.name)
        elif isinstance(c, cmd.SetText):
            self._use_text(c.text, c.name or "Your text")
        elif isinstance(c, cmd.LoadTextFile):
            self._use_file(c.path)
        elif isinstance(c, cmd.SetArchitecture):
            self._set_architecture(c)
        elif isinstance(c, cmd.SetLearningRate):
            self._set_lr(c.lr)
        elif isinstance(c, cmd.SetTemperature):
            if not (isinstance(c.temperature, (int, float)) and 0 < c.temperature <= 10):
                raise ValueError(f"The temperature must be above 0 and at most 10, not {c.temperature!r}.")
            self.temperature = float(c.temperature)
        elif isinstance(c, cmd.SetSpeed):
            if not (isinstance(c.steps_per_frame, int) and 1 <= c.steps_per_frame <= 100_000):
                raise ValueError(f"The speed must be a whole number of steps from 1 to 100,000, not {c.steps_per_frame!r}.")
            self.speed = c.steps_per_frame
        else:
            raise ValueError(f"{type(c).__name__} is not a command the session knows.")

    def _say(self, words: str, warning: bool = False) -> None:
        self.notice, self.notice_is_warning = words, warning

    def _set_lr(self, lr) -> None:
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"The learning rate must be a number above 0, not {lr!r}.")
        self.trainer.lr = float(lr)
        self.lr = self.trainer.lr

    def _set_architecture(self, c: cmd.SetArchitecture) -> None:
        cfg = GPTConfig(vocab_size=self.trainer.cfg.vocab_size, context=c.context, embed=c.embed,
                        heads=c.heads, layers=c.layers)
        if (cfg.context, cfg.embed, cfg.heads, cfg.layers) == self._architecture():
            return
        self._rebuild(self.text, self.text_name, cfg)
        self._say(NEW_ARCHITECTURE)

    def _architecture(self) -> tuple[int, int, int, int]:
        c = self.trainer.cfg
        return c.context, c.embed, c.heads, c.layers

    def starting_config(self) -> GPTConfig:
        """The model the session starts with: the settings' heads/layers/embed/context, each
        None meaning the model's own default. Attract mode returns to it between demos."""
        given = {key: getattr(self.settings, key) for key in START_ARCHITECTURE
                 if getattr(self.settings, key) is not None}
        try:
            return GPTConfig(vocab_size=2, **given)
        except ValueError as exc:       # settings built in code, not checked like a config file
            log.warning("starting architecture %r cannot be used (%s); using the default", given, exc)
            return GPTConfig(vocab_size=2)

    # --- the training text -------------------------------------------------------------------
    def _start_text(self) -> None:
        s = self.settings
        if s.text_file:
            self._use_file(s.text_file)
        if self.trainer is None:
            self._use_preset(s.preset)
        if self.trainer is None and s.preset != DEFAULT_PRESET:
            self._use_preset(DEFAULT_PRESET)
        if self.trainer is None:
            raise RuntimeError("Even the default preset could not be used: " + self.notice)

    def _use_preset(self, name: str) -> None:
        presets = {p.name: p for p in list_presets(self.settings.presets_dir)}
        if name not in presets:
            self._say(f"There is no preset called '{name}'.", warning=True)
            return
        try:
            text = presets[name].load()
        except (OSError, ValueError) as exc:
            self._say(f"The preset '{name}' could not be read: {exc}", warning=True)
            return
        self._use_text(text, name)

    def _use_file(self, path: str) -> None:
        try:
            text = read_text_file(path)
        except ValueError as exc:        # TextFileError: a sentence for the visitor
            self._say(str(exc), warning=True)
            return
        self._use_text(text, str(path).replace("\\", "/").rsplit("/", 1)[-1])

    def _use_text(self, text: str, name: str) -> None:
        """Switch to `text`, keeping the architecture when it still fits; when the text cannot
        be used, a notice says why and the previous text and model stay."""
        if not isinstance(text, str) or not text.strip():
            self._say("There is no text to learn from: type or paste some first.", warning=True)
            return
        cut = len(text) > MAX_TEXT_CHARS
        text = text[:MAX_TEXT_CHARS]
        keep = self.starting_config() if self.trainer is None else self.trainer.cfg
        try:
            self._rebuild(text, name, keep)
        except ValueError as first:
            try:
                # The old architecture may not fit (say, a short text and a long context).
                self._rebuild(text, name, self._fitting_config(text, keep))
            except ValueError:
                self._say(f"That text cannot be used: {first}", warning=True)
                return
            self._say(f"Now learning from: {name}. The text is short, so the model looks back "
                      f"{self.trainer.cfg.context} characters.")
            return
        if cut:
            self._say(f"That text is very long; the model learns from its first {MAX_TEXT_CHARS:,} characters.")
        else:
            self._say(f"Now learning from: {name}.")

    @staticmethod
    def _fitting_config(text: str, cfg: GPTConfig | None) -> GPTConfig | None:
        """The same architecture with a context short enough for a short text."""
        base = cfg or GPTConfig(vocab_size=2)
        context = min(base.context, max(2, len(text) - 2))
        return GPTConfig(vocab_size=2, context=context, embed=base.embed, heads=base.heads, layers=base.layers)

    def _rebuild(self, text: str, name: str, cfg: GPTConfig | None) -> None:
        """A fresh Trainer; raises ValueError (and changes nothing) when text or cfg do not fit."""
        lr = self.trainer.lr if self.trainer is not None else self.lr
        batch = None if cfg is None else batch_size_for(cfg)
        trainer = Trainer(text, cfg=cfg, lr=lr, batch_size=batch, seed=self.seed)
        self.trainer, self.text, self.text_name = trainer, text, name
        self.lr = trainer.lr
        self._writer = None
        self._sample: Sample | None = None
        self._next_sample_step = 0
        self._introspected_at = -math.inf
        self._introspected_step = -1
        self._snapshot: Snapshot | None = None
        self._snapshot_at = -math.inf
        self._embedding_xy = np.zeros((0, 2), np.float32)
        self._bigrams = (np.zeros((0, 0), np.float32), ())
        self._attention = ("", np.zeros((0, 0, 0, 0), np.float32))
        self._write_sample_now()
        self._write_some(SAMPLE_LENGTH)          # the untrained model's gibberish, shown at once

    # --- training ----------------------------------------------------------------------------
    def train(self, max_steps: int, budget_seconds: float | None = None) -> int:
        """Run up to `max_steps` steps while the clock allows; returns the steps done.

        With a budget, steps start while the budget lasts: at least one runs, and the last one may
        end a little after the budget (stopping a step early would idle the rest of the frame and
        lose a quarter of the training speed). Samples due are written a few characters at a
        time between steps (or by a helper process, meanwhile). Without a budget (offline
        rendering), exactly `max_steps` steps run and samples are written whole at their step, in
        this process, so the result is the same on every machine.
        """
        if budget_seconds is None:
            return self._steps(max_steps)
        if not self.running or max_steps <= 0:
            return 0
        clock = time.perf_counter
        deadline = clock() + budget_seconds
        done = written = 0
        while done < max_steps:
            if self._writer is not None and done > 0 and self._writer.ready():
                self._write_some(SAMPLE_CHUNK)
                written += SAMPLE_CHUNK
            else:
                self._one_step(background=True)
                done += 1
            if clock() >= deadline:
                break
        if self._writer is not None and written < MIN_SAMPLE_CHARS_PER_FRAME and self._writer.ready():
            # Steps fill the whole frame (a big model): the sample still moves on every frame.
            self._write_some(MIN_SAMPLE_CHARS_PER_FRAME - written)
        return done

    def _steps(self, n: int) -> int:
        for _ in range(n):
            self._one_step()
            if self._writer is not None:
                self._write_some(SAMPLE_LENGTH)
        return n

    def _one_step(self, background: bool = False) -> None:
        self.trainer.step()
        if self.trainer.step_count >= self._next_sample_step:
            self._write_sample_now(background)

    def _write_sample_now(self, background: bool = False) -> None:
        """Start a sample at this step (what the model writes now), prompted by a new line
        (or, in a text without one, by its first character); in the background: by the helper."""
        if self._writer is not None:
            self._write_some(SAMPLE_LENGTH)       # finish the one still being written
        t = self.trainer
        chars = t.tokenizer.chars
        prompt = np.array([chars.index("\n")]) if "\n" in chars else t.data[:1]
        writer = SampleWriter(t.model, t.tokenizer, prompt, self.temperature,
                              seed=self.seed + t.step_count, step=t.step_count)
        if background and self._helpers is not None:
            writer = BackgroundSampleWriter(writer, SAMPLE_LENGTH, self._helpers)
        self._writer = writer
        self._next_sample_step = (t.step_count // SAMPLE_EVERY + 1) * SAMPLE_EVERY

    def _write_some(self, n: int) -> None:
        w = self._writer
        w.write(min(n, SAMPLE_LENGTH - w.length))
        if w.length >= SAMPLE_LENGTH:
            self._sample = w.sample()
            self._writer = None
            self._introspected_at = -math.inf      # the next-token and attention panels follow the sample

    # --- the picture the panels draw --------------------------------------------------------
    def _stale(self) -> None:
        self._snapshot_at = -math.inf

    def snapshot(self, now: float | None = None) -> Snapshot:
        """The current Snapshot. With `now` (seconds of app time) it is rebuilt only every
        SNAPSHOT_EVERY seconds or after a command; without, it is always rebuilt."""
        if self._snapshot is not None and now is not None and now - self._snapshot_at < SNAPSHOT_EVERY:
            return self._snapshot
        self._snapshot_at = -math.inf if now is None else now
        if now is None or now - self._introspected_at >= INTROSPECT_EVERY:
            if self.trainer.step_count != self._introspected_step or self._introspected_at == -math.inf:
                self._introspect()
            self._introspected_at = -math.inf if now is None else now
        if self._writer is not None and not self.running:
            self._write_some(SAMPLE_LENGTH)       # paused (after Step once): nobody else will finish it
        self._snapshot = self._build_snapshot()
        return self._snapshot

    def _introspect(self) -> None:
        t = self.trainer
        self._introspected_step = t.step_count
        self._embedding_xy = embedding_projection(t.model.params["wte"], self._embedding_xy)
        table = learned_bigrams(t.model)                                          # (V, V)
        chars = t.tokenizer.chars
        n = min(BIGRAM_CHARS, len(chars))
        self._bigrams = (table[:n, :n], top_pair_sentences(chars, table, n))
        sample_text = self._sample.text if self._sample else ""
        ids = t.tokenizer.encode(sample_text)[-min(ATTENTION_CHARS, t.cfg.context):]
        if ids.size >= 2:
            self._attention = (t.tokenizer.decode(ids), attention_weights(t.model, ids))

    def _next_token(self) -> tuple[str, np.ndarray]:
        t = self.trainer
        sample_text = self._sample.text if self._sample else ""
        ids = t.tokenizer.encode(sample_text)[-min(NEXT_CONTEXT, t.cfg.context):]
        if ids.size == 0:
            ids = t.data[:1]
        return t.tokenizer.decode(ids), next_char_probs(t.model, ids)

    def _build_snapshot(self) -> Snapshot:
        t = self.trainer
        for event in t.pop_events():
            self._say(event, warning=True)
        context, probs = self._next_token()
        h = t.history
        bigram_probs, sentences = self._bigrams
        attention_text, attention = self._attention
        return Snapshot(
            step=t.step_count, running=self.running, text_name=self.text_name, text_length=len(t.text),
            vocab=t.tokenizer.chars, param_count=t.model.num_params(),
            heads=t.cfg.heads, layers=t.cfg.layers, embed=t.cfg.embed, context=t.cfg.context,
            lr=t.lr, temperature=self.temperature, speed=self.speed,
            steps_per_s=self.steps_per_s, fps=self.fps,
            loss_steps=frozen_array(h.steps), loss_values=frozen_array(h.values),
            loss_smooth=frozen_array(h.smooth), baseline_loss=t.baseline_loss,
            sample=self._sample,
            next_context=context, next_probs=frozen_array(probs, np.float32),
            embedding_xy=frozen_array(self._embedding_xy, np.float32),
            bigram_chars=t.tokenizer.chars[:bigram_probs.shape[0]],
            bigram_probs=frozen_array(bigram_probs, np.float32), bigram_sentences=sentences,
            attention_text=attention_text, attention=frozen_array(attention, np.float32),
            notice=self.notice, notice_is_warning=self.notice_is_warning,
        )

