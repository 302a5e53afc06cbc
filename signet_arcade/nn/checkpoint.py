"""Saving a trainer to one `.npz` file and loading it back, safely.

The file is a plain NumPy zip archive, never pickled: `meta` (JSON text as uint8: format, config,
vocabulary, learning rate, step count, the batch-drawing RNG's state, optimizer and loss-history
scalars), `text` (the cleaned training text, UTF-8 as uint8), `param/<name>`, `optim/<path>` and
`history/<name>` arrays. Loading trusts nothing in the file: every array's npy header (dtype and
shape) is checked against what the architecture needs before a byte of its data is read, numbers
must be finite, and any flaw raises `CheckpointError` with a sentence for the screen. Loading
builds a new Trainer, so a bad file changes nothing in the one that is running.

Save, load, continue: the next losses are bit for bit those of never stopping.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import zipfile
import zlib

import numpy as np

from signet_arcade.nn.config import GPTConfig
from signet_arcade.nn.trainer import Trainer

FORMAT = "signet-arcade-checkpoint"
VERSION = 1
MAX_FILE_BYTES = 256 << 20      # the largest allowed architecture needs under 100 MB
MAX_META_BYTES = 1 << 20
MAX_TEXT_BYTES = 16 << 20       # two million characters of four UTF-8 bytes each, doubled
HISTORY_ARRAYS = {"steps": np.dtype(np.int64), "raw": np.dtype(np.float32), "smooth": np.dtype(np.float32)}
_READ_ERRORS = (zipfile.LargeZipFile, OSError, EOFError, zlib.error, KeyError, TypeError, OverflowError,
                RuntimeError, NotImplementedError, RecursionError)


class CheckpointError(ValueError):
    """A checkpoint could not be saved or loaded; the message is a sentence for the visitor."""


def save_checkpoint(trainer: Trainer, path) -> None:
    """Write `trainer` to `path` (written to a temporary file first, so a crash mid-save never
    damages an existing checkpoint)."""
    optim_arrays, optim_values = _split(trainer.optimizer.state_dict())
    history = trainer.history.state_dict()
    meta = {
        "format": FORMAT, "version": VERSION,
        "config": {f.name: getattr(trainer.cfg, f.name) for f in _config_fields()},
        "chars": list(trainer.tokenizer.chars),
        "lr": trainer.lr, "batch_size": trainer.batch_size, "seed": trainer.seed,
        "step_count": trainer.step_count,
        "rng_state": trainer.rng.bit_generator.state,
        "optim": optim_values,
        "history": {k: v for k, v in history.items() if k not in HISTORY_ARRAYS},
    }
    arrays = {"meta": _utf8_array(json.dumps(meta)), "text": _utf8_array(trainer.text)}
    arrays.update({f"param/{name}": p for name, p in trainer.model.params.items()})
    arrays.update({f"optim/{key}": a for key, a in optim_arrays.items()})
    arrays.update({f"history/{key}": history[key] for key in HISTORY_ARRAYS})
    path = os.fspath(path)
    temporary = path + ".tmp"
    try:
        with open(temporary, "wb") as f:
            np.savez(f, **arrays)
        os.replace(temporary, path)
    except OSError as e:
        _remove_quietly(temporary)
        raise CheckpointError(f"The checkpoint could not be saved ({e.strerror or e}).") from e


def load_checkpoint(path) -> Trainer:
    """A new Trainer exactly as it was saved; CheckpointError if the file is anything else."""
    try:
        size = os.path.getsize(path)
    except (OSError, TypeError, ValueError) as e:
        raise CheckpointError("The checkpoint file could not be found or read.") from e
    if size > MAX_FILE_BYTES:
        raise CheckpointError("This file is far too big to be a checkpoint.")
    try:
        with zipfile.ZipFile(path) as archive:
            return _restore(_Archive(archive))
    except CheckpointError:
        raise
    except zipfile.BadZipFile as e:
        raise CheckpointError("This file is not a checkpoint, or it is damaged (not a readable archive).") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError("This checkpoint is damaged: its text parts cannot be read.") from e
    except ValueError as e:         # a setting the trainer refuses, already in words for the visitor
        raise CheckpointError(f"This checkpoint cannot be used. {e}") from e
    except _READ_ERRORS as e:
        raise CheckpointError("This checkpoint is damaged and could not be loaded.") from e


def _restore(archive: _Archive) -> Trainer:
    meta = json.loads(archive.read_text("meta", MAX_META_BYTES))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError("This file is not a Signet Arcade checkpoint.")
    if meta.get("version") != VERSION:
        raise CheckpointError("This checkpoint was saved by a different version of Signet Arcade.")
    config = meta["config"]
    if not isinstance(config, dict) or set(config) != {f.name for f in _config_fields()}:
        raise CheckpointError("This checkpoint's architecture description is incomplete.")
    cfg = GPTConfig(**config)
    trainer = Trainer(archive.read_text("text", MAX_TEXT_BYTES), cfg, lr=meta["lr"],
                      batch_size=meta["batch_size"], seed=meta["seed"])
    if trainer.cfg != cfg or meta["chars"] != list(trainer.tokenizer.chars):
        raise CheckpointError("This checkpoint's vocabulary does not match its text.")

    fresh_arrays, fresh_values = _split(trainer.optimizer.state_dict())
    expected = ({"meta", "text"} | {f"param/{n}" for n in trainer.model.params}
                | {f"optim/{k}" for k in fresh_arrays} | {f"history/{k}" for k in HISTORY_ARRAYS})
    archive.require_exactly(expected)

    params = {n: archive.read(f"param/{n}", p.dtype, p.shape) for n, p in trainer.model.params.items()}
    optim_arrays = {k: archive.read(f"optim/{k}", a.dtype, a.shape) for k, a in fresh_arrays.items()}
    optim_values = _same_shape_values(meta["optim"], fresh_values)
    history = {k: archive.read(f"history/{k}", dtype, max_length=trainer.history.capacity)
               for k, dtype in HISTORY_ARRAYS.items()}
    history.update(_plain_numbers(meta["history"]))
    step_count = meta["step_count"]
    if not isinstance(step_count, int) or isinstance(step_count, bool) or step_count < 0:
        raise CheckpointError("This checkpoint's step count is not a whole number.")

    for name, p in trainer.model.params.items():
        np.copyto(p, params[name])
    trainer.optimizer.load_state_dict(_join(optim_arrays, optim_values))
    trainer.history.load_state_dict(history)
    try:
        trainer.rng.bit_generator.state = meta["rng_state"]
    except (TypeError, ValueError, KeyError) as e:
        raise CheckpointError("This checkpoint's random-number state is damaged.") from e
    trainer.step_count = step_count
    trainer.remember_good()
    return trainer


class _Archive:
    """Reads npy members of a zip without trusting their headers."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        names = archive.namelist()
        if len(names) != len(set(names)) or not all(n.endswith(".npy") for n in names):
            raise CheckpointError("This file is not a Signet Arcade checkpoint (unexpected contents).")
        self.names = {n[:-len(".npy")] for n in names}

    def require_exactly(self, expected: set[str]) -> None:
        missing, extra = expected - self.names, self.names - expected
        if missing:
            raise CheckpointError(f"This checkpoint is incomplete: it lacks {sorted(missing)[0]!r}.")
        if extra:
            raise CheckpointError(f"This checkpoint does not match its architecture: "
                                  f"it has an unexpected part {sorted(extra)[0]!r}.")

    def read(self, name: str, dtype: np.dtype, shape: tuple | None = None,
             max_length: int | None = None) -> np.ndarray:
        """The array `name`: exactly `shape`, or 1-D of at most `max_length`; exactly `dtype`."""
        if name not in self.names:
            raise CheckpointError(f"This checkpoint is incomplete: it lacks {name!r}.")
        with self.archive.open(name + ".npy") as f:
            found_shape, fortran, found_dtype = _read_header(f, name)
            if found_dtype != np.dtype(dtype) or found_dtype.hasobject or fortran:
                raise CheckpointError(f"This checkpoint's {name!r} holds the wrong kind of numbers.")
            if shape is not None and tuple(found_shape) != tuple(shape) or shape is None and not (
                    len(found_shape) == 1 and found_shape[0] <= max_length):
                raise CheckpointError(f"This checkpoint's {name!r} has the wrong size for its architecture.")
            nbytes = math.prod(found_shape) * found_dtype.itemsize
            data = f.read(nbytes + 1)      # reading to the end also makes zipfile check the CRC
        if len(data) != nbytes:
            raise CheckpointError(f"This checkpoint's {name!r} is cut short or padded: the file is damaged.")
        array = np.frombuffer(data, dtype=found_dtype).reshape(found_shape)
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise CheckpointError(f"This checkpoint's {name!r} contains broken numbers (NaN or infinity).")
        return array

    def read_text(self, name: str, max_bytes: int) -> str:
        return self.read(name, np.uint8, max_length=max_bytes).tobytes().decode("utf-8")


def _read_header(f, name: str) -> tuple:
    """(shape, fortran_order, dtype) from an npy header, read without its data."""
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(f)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(f)
    except ValueError as e:          # numpy's words are for programmers, not for the screen
        raise CheckpointError(f"This checkpoint's {name!r} is not a readable array.") from e
    raise CheckpointError(f"This checkpoint's {name!r} is in an unknown array format.")


def _config_fields():
    return dataclasses.fields(GPTConfig)


def _utf8_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _split(state: dict, prefix: str = "") -> tuple[dict, dict]:
    """A nested state dict -> ({'a/b': array}, nested dict of the plain values)."""
    arrays, values = {}, {}
    for key, value in state.items():
        if isinstance(value, dict):
            sub_arrays, sub_values = _split(value, f"{prefix}{key}/")
            arrays.update(sub_arrays)
            values[key] = sub_values
        elif isinstance(value, np.ndarray):
            arrays[f"{prefix}{key}"] = value
        else:
            values[key] = value.item() if isinstance(value, np.generic) else value
    return arrays, values


def _join(arrays: dict, values: dict) -> dict:
    """Inverse of `_split`."""
    state = json.loads(json.dumps(values))
    for path, array in arrays.items():
        *parents, leaf = path.split("/")
        node = state
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = array.copy()
    return state


def _same_shape_values(saved, fresh):
    """`saved` if it has exactly the keys and kinds of value of `fresh`, else CheckpointError."""
    if isinstance(fresh, dict):
        if not isinstance(saved, dict) or set(saved) != set(fresh):
            raise CheckpointError("This checkpoint's optimizer state does not match the model.")
        return {k: _same_shape_values(saved[k], fresh[k]) for k in fresh}
    same_kind = (_is_number(saved) and (isinstance(saved, int) or not isinstance(fresh, int))
                 if _is_number(fresh) else type(saved) is type(fresh))
    if not same_kind:
        raise CheckpointError("This checkpoint's optimizer state does not match the model.")
    return saved


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _plain_numbers(values: dict) -> dict:
    """Check that every value is a plain number (NaN allowed: an empty history's average)."""
    if not isinstance(values, dict) or not all(_is_number(v) for v in values.values()):
        raise CheckpointError("This checkpoint holds a value that should be a number and is not.")
    return values


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
