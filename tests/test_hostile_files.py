"""Hostile files the other file tests do not cover (see test_checkpoint.py, test_settings.py and
test_presets.py for the rest): zip bombs, odd zip members, pipes and devices dropped as text,
and config values no curator would write on purpose. Each is refused in words; nothing running
changes."""
import dataclasses
import os
import random
import zipfile

import numpy as np
import pygame
import pytest

from signet_arcade import commands as cmd
from signet_arcade.app import App
from signet_arcade.nn import CheckpointError, GPTConfig, Trainer, load_checkpoint, save_checkpoint
from signet_arcade.presets import read_text_file
from signet_arcade.presets.text_files import TextFileError
from signet_arcade.settings import Settings, load_config

TEXT = "the quick brown fox jumps over the lazy dog. " * 40


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    trainer = Trainer(TEXT, GPTConfig(vocab_size=2, context=8, embed=16, heads=2, layers=1), batch_size=4)
    for _ in range(3):
        trainer.step()
    path = tmp_path_factory.mktemp("ckpt") / "good.npz"
    save_checkpoint(trainer, path)
    return trainer, path


def params_of(trainer):
    return {k: p.copy() for k, p in trainer.model.params.items()}


def rewrite(source, target, replace=None, extra=()):
    """A copy of the checkpoint zip with members replaced by `replace(name, data)` and `extra`
    (name, writer) members streamed in compressed."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if replace is not None and replace(name) is not None:
                with dst.open(name, "w") as f:
                    replace(name)(f, data)
            else:
                dst.writestr(name, data)
        for name, write in extra:
            with dst.open(name, "w") as f:
                write(f)


def then_zeros(megabytes):
    """A member writer: the real bytes, then many megabytes of zeros (tiny once compressed)."""
    def write(f, data):
        f.write(data)
        block = bytes(1 << 20)
        for _ in range(megabytes):
            f.write(block)
    return write


def test_zip_bombs_and_odd_members_are_refused_and_change_nothing(checkpoint, tmp_path):
    trainer, good = checkpoint
    before = params_of(trainer)
    cases = {
        "bomb in a weight": dict(replace=lambda n: then_zeros(200) if n == "param/wte.npy" else None),
        "bomb in the text": dict(replace=lambda n: then_zeros(200) if n == "text.npy" else None),
        "path traversal": dict(extra=[("../../escaped.npy", lambda f: f.write(b"x"))]),
        "thousands of members": dict(extra=[(f"param/junk{i}.npy", lambda f: f.write(b"\x93NUMPY"))
                                            for i in range(3000)]),
    }
    for kind, how in cases.items():
        target = tmp_path / f"{kind}.npz"
        rewrite(good, target, **how)
        assert target.stat().st_size < 3_000_000, "the bombs are small on disk"
        with pytest.raises(CheckpointError) as caught:
            load_checkpoint(target)
        message = str(caught.value)
        assert message[0].isupper() and message.endswith(".") and "checkpoint" in message, kind
    assert not (tmp_path.parent / "escaped.npy").exists() and not (tmp_path / "escaped.npy").exists()
    for name, p in trainer.model.params.items():
        np.testing.assert_array_equal(p, before[name])


def test_pipes_devices_and_impossible_names_are_not_read_as_text(tmp_path):
    """Found while building the monkey: a dropped pipe blocked the app forever, /dev/zero filled memory."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero", "/dev/null", str(tmp_path / "a\x00b.txt")):
        with pytest.raises(TextFileError) as caught:
            read_text_file(path)
        assert str(caught.value).endswith("."), path


def test_a_dropped_pipe_leaves_the_running_model_alone(tmp_path):
    app = App(Settings(headless=True, width=800, height=480, preset="patterns", seed=1))
    try:
        app.send(cmd.SetArchitecture(heads=2, layers=1, embed=16, context=16))
        app.tick(1 / 30, exact_steps=2)
        text, params = app.session.text, params_of(app.session.trainer)
        fifo = tmp_path / "pipe.txt"
        os.mkfifo(fifo)
        pygame.event.post(pygame.event.Event(pygame.DROPFILE, file=str(fifo), window=None))
        for event in pygame.event.get():
            app.handle_event(event)
        app.tick(1 / 30, exact_steps=0)
        snap = app.session.snapshot()
        assert snap.notice_is_warning and "not a text file" in snap.notice
        assert app.session.text == text
        for name, p in app.session.trainer.model.params.items():
            np.testing.assert_array_equal(p, params[name])
    finally:
        pygame.quit()


@pytest.mark.parametrize("line, key", [
    ("fps = 9223372036854775807", "fps"),
    ("width = -9223372036854775808", "width"),
    ("temperature = 1e308", "temperature"),
    ("lr = nan", "lr"),
    ("lr = -0.0", "lr"),
    ("idle_timeout = inf", "idle_timeout"),
    ("height = [480, 600]", "height"),
    ("seed = 1979-05-27T07:32:00Z", "seed"),
    ("profile = { name = 'pi' }", "profile"),
    ("exit_gesture = 5", "exit_gesture"),
    ('log_dir = "~nosuchuser_signet/logs"', "log_dir"),
    ('recordings_dir = "rec\\u0000ordings"', "recordings_dir"),
    ('screenshot = "\\u0000"', "screenshot"),
])
def test_wrong_types_and_huge_numbers_name_the_key_and_its_default(tmp_path, line, key):
    path = tmp_path / "arcade.toml"
    path.write_text(line + "\n", encoding="utf-8")
    settings, warnings = load_config(path)
    assert len(warnings) == 1 and warnings[0].startswith(f"{key}: ") and "default" in warnings[0]
    assert getattr(settings, key) == getattr(Settings(), key)


@pytest.mark.parametrize("content", [
    b"x = " + b"[" * 50_000 + b"]" * 50_000,                       # nesting that overflows the parser
    bytes(random.Random(0).randrange(256) for _ in range(20_000)),  # binary garbage
    b"kiosk = true\n\x00\x01\x02",
])
def test_unreadable_configs_give_all_defaults_and_one_warning(tmp_path, content):
    path = tmp_path / "arcade.toml"
    path.write_bytes(content)
    settings, warnings = load_config(path)
    assert len(warnings) == 1 and "using all defaults" in warnings[0]
    assert dataclasses.replace(settings, config_path=None) == Settings()
