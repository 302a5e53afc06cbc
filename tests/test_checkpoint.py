import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from signet_arcade.nn import CheckpointError, GPTConfig, Trainer, load_checkpoint, save_checkpoint

from english import ENGLISH
SMALL = GPTConfig(vocab_size=2, context=16, embed=32, heads=2, layers=1)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A trainer 30 steps in, and its checkpoint file."""
    trainer = Trainer(ENGLISH, SMALL, lr=3e-3, batch_size=8, seed=3)
    for _ in range(30):
        trainer.step()
    path = tmp_path_factory.mktemp("ckpt") / "run.npz"
    save_checkpoint(trainer, path)
    return trainer, path


def state_of(trainer: Trainer) -> dict:
    return {"params": {k: p.copy() for k, p in trainer.model.params.items()},
            "optim": trainer.optimizer.state_dict(), "rng": trainer.rng.bit_generator.state,
            "steps": trainer.step_count, "lr": trainer.lr, "losses": trainer.losses.copy()}


def assert_same_state(a: dict, b: dict):
    assert a["params"].keys() == b["params"].keys()
    for k in a["params"]:
        np.testing.assert_array_equal(a["params"][k], b["params"][k])
    for k in a["optim"]:
        np.testing.assert_array_equal(a["optim"][k], b["optim"][k])
    assert (a["rng"], a["steps"], a["lr"]) == (b["rng"], b["steps"], b["lr"])
    np.testing.assert_array_equal(a["losses"], b["losses"])


def test_round_trip_restores_everything(saved):
    trainer, path = saved
    loaded = load_checkpoint(path)
    assert loaded.cfg == trainer.cfg and loaded.tokenizer == trainer.tokenizer
    assert loaded.batch_size == trainer.batch_size and loaded.text == trainer.text
    assert loaded.baseline_loss == trainer.baseline_loss
    assert_same_state(state_of(loaded), state_of(trainer))
    np.testing.assert_array_equal(loaded.history.steps, trainer.history.steps)
    np.testing.assert_array_equal(loaded.history.smooth, trainer.history.smooth)


def test_save_load_continue_equals_never_stopping(tmp_path):
    never_stopped = Trainer(ENGLISH, SMALL, lr=3e-3, batch_size=8, seed=5)
    for _ in range(20):
        never_stopped.step()
    save_checkpoint(never_stopped, tmp_path / "mid.npz")
    resumed = load_checkpoint(tmp_path / "mid.npz")
    expected = [never_stopped.step() for _ in range(10)]
    assert [resumed.step() for _ in range(10)] == expected
    assert_same_state(state_of(resumed), state_of(never_stopped))


def test_saving_leaves_no_temporary_file_and_overwrites(saved, tmp_path):
    trainer, _ = saved
    path = tmp_path / "x.npz"
    save_checkpoint(trainer, path)
    save_checkpoint(trainer, path)
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]


def test_saving_to_an_impossible_place_is_a_clear_error(saved, tmp_path):
    with pytest.raises(CheckpointError, match="could not be saved"):
        save_checkpoint(saved[0], tmp_path / "no such folder" / "x.npz")


# --- hostile and broken files ------------------------------------------------------------------

def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_zip(path, parts: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def npy(array, **kw) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(array), **kw)
    return buf.getvalue()


def npy_header_only(shape, descr="<f4") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + b"\0" * 64


def meta_of(parts) -> dict:
    return json.loads(np.load(io.BytesIO(parts["meta.npy"])).tobytes())


def with_meta(parts, **changes) -> dict:
    meta = meta_of(parts)
    meta.update(changes)
    return {**parts, "meta.npy": npy(np.frombuffer(json.dumps(meta).encode(), np.uint8))}


class Explode:
    """Unpickling this would create a file: proof that nothing was unpickled."""
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def hostile_files(path, tmp):
    good = members(path)
    sentinel = tmp / "pickle-ran"
    without_param = {k: v for k, v in good.items() if k != "param/wte.npy"}
    raw = path.read_bytes()
    flipped = bytearray(raw)
    flipped[len(raw) // 3] ^= 0xFF
    wte_at = raw.find(np.load(io.BytesIO(good["param/wte.npy"])).tobytes()[:64])
    flipped_in_data = bytearray(raw)
    flipped_in_data[wte_at + 10] ^= 0x01
    object_array = np.empty(2, dtype=object)
    object_array[:] = [Explode(sentinel), 1]
    yield "not a zip", b"just some text, not a checkpoint at all"
    yield "a pickle", pickle.dumps(Explode(sentinel))
    yield "empty", b""
    yield "truncated", raw[: len(raw) // 2]
    yield "flipped byte", bytes(flipped)
    yield "flipped bit in weights", bytes(flipped_in_data)
    yield "object array param", {**good, "param/wte.npy": npy(object_array, allow_pickle=True)}
    yield "object array meta", {**good, "meta.npy": npy(object_array, allow_pickle=True)}
    yield "enormous shape", {**good, "param/wte.npy": npy_header_only((10**6, 10**6))}
    yield "enormous text", {**good, "text.npy": npy_header_only((10**12,), "|u1")}
    yield "wrong dtype", {**good, "param/wte.npy": npy(np.load(io.BytesIO(good["param/wte.npy"])).astype(np.float64))}
    yield "big-endian", {**good, "param/wte.npy": npy(np.load(io.BytesIO(good["param/wte.npy"])).astype(">f4"))}
    yield "nan weights", {**good, "param/wte.npy": npy(np.full_like(np.load(io.BytesIO(good["param/wte.npy"])), np.nan))}
    yield "short data", {**good, "param/lnf.g.npy": good["param/lnf.g.npy"][:-8]}
    yield "padded data", {**good, "param/lnf.g.npy": good["param/lnf.g.npy"] + b"\0" * 8}
    yield "missing param", without_param
    yield "extra member", {**good, "param/extra.npy": npy(np.zeros(3, np.float32))}
    yield "not npy member", {**good, "notes.txt": b"hello"}
    yield "garbage member", {**good, "param/wte.npy": b"garbage, not an array"}
    yield "huge npy header", {**good, "param/wte.npy": b"\x93NUMPY\x02\x00" + (2**31).to_bytes(4, "little")}
    yield "meta not json", {**good, "meta.npy": npy(np.frombuffer(b"{not json", np.uint8))}
    yield "meta deep json", {**good, "meta.npy": npy(np.frombuffer(b"[" * 100_000, np.uint8))}
    yield "meta not a dict", {**good, "meta.npy": npy(np.frombuffer(b"[1, 2]", np.uint8))}
    yield "wrong format", with_meta(good, format="something else")
    yield "wrong version", with_meta(good, version=99)
    yield "mismatched architecture", with_meta(good, config={**meta_of(good)["config"], "embed": 64})
    yield "architecture out of range", with_meta(good, config={**meta_of(good)["config"], "layers": 10**9})
    yield "vocabulary mismatch", with_meta(good, chars=list("abc"))
    yield "bad learning rate", with_meta(good, lr="fast")
    yield "bad step count", with_meta(good, step_count=-5)
    yield "bad rng state", with_meta(good, rng_state={"bit_generator": "PCG64", "state": "x"})
    yield "bad history", with_meta(good, history={"seen": "many"})
    yield "text not utf-8", {**good, "text.npy": npy(np.frombuffer(b"\xff\xfe\xfa" * 50, np.uint8))}


def test_every_hostile_or_broken_file_is_rejected_and_changes_nothing(saved, tmp_path):
    trainer, path = saved
    before = state_of(trainer)
    for i, (kind, content) in enumerate(hostile_files(path, tmp_path)):
        target = tmp_path / f"hostile{i}.npz"
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            write_zip(target, content)
        with pytest.raises(CheckpointError) as caught:
            load_checkpoint(target)
        message = str(caught.value)
        assert message[0].isupper() and message.endswith("."), kind
        assert isinstance(caught.value, ValueError)
    assert not (tmp_path / "pickle-ran").exists()
    assert_same_state(state_of(trainer), before)
    trainer.step()                                       # the running trainer still trains


@pytest.mark.parametrize("where", ["missing.npz", "."])
def test_a_missing_file_or_a_folder_is_a_clear_error(tmp_path, where):
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / where)


def test_a_rewritten_but_intact_checkpoint_still_loads(saved, tmp_path):
    """The hostile-file helpers themselves do not break a file (else the test above proves nothing)."""
    _, path = saved
    target = tmp_path / "copy.npz"
    write_zip(target, members(path))
    load_checkpoint(target)


def test_a_file_too_big_to_be_a_checkpoint_is_refused_unread(tmp_path):
    from signet_arcade.nn.checkpoint import MAX_FILE_BYTES
    path = tmp_path / "huge.npz"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)                   # sparse: costs no disk
    with pytest.raises(CheckpointError, match="too big"):
        load_checkpoint(path)
