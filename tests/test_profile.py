"""The low-power profile: detecting a Pi or a slow CPU, the pi defaults, explicit settings winning
over them, and the starting architecture reaching the session."""
import dataclasses
import math
import sys
import types

import pytest

from signet_arcade import cli, profile
from signet_arcade import commands as cmd
from signet_arcade.nn.config import GPTConfig
from signet_arcade.profile import PI_DEFAULTS, apply_profile, detect, resolve_profile
from signet_arcade.session import Session
from signet_arcade.settings import START_ARCHITECTURE, Settings, load_config

FAST, SLOW = (lambda: 90.0), (lambda: 8.0)


def test_a_raspberry_pi_model_file_means_pi_whatever_the_probe_says(tmp_path):
    model = tmp_path / "model"
    model.write_bytes(b"Raspberry Pi 4 Model B Rev 1.4\0")
    assert detect(model, FAST) == ("pi", "this is a Raspberry Pi 4 Model B Rev 1.4")


@pytest.mark.parametrize("board", [None, b"Pine64 RockPro64\0"])
def test_elsewhere_the_probe_decides(tmp_path, board):
    model = tmp_path / "model"
    if board is not None:
        model.write_bytes(board)
    assert detect(model, SLOW)[0] == "pi"
    assert "8 GFLOP/s" in detect(model, SLOW)[1]
    assert detect(model, FAST)[0] == "full"


def test_the_probe_measures_a_real_speed():
    assert math.isfinite(profile.probe_gflops()) and profile.probe_gflops() > 0


def test_auto_is_resolved_by_detection_except_when_rendering(monkeypatch):
    monkeypatch.setattr(profile, "detect", lambda: ("pi", "a slow test machine"))
    assert resolve_profile("auto") == ("pi", "a slow test machine")
    assert resolve_profile("auto", offline=True)[0] == "full"
    assert resolve_profile("full")[0] == "full" and resolve_profile("pi", offline=True)[0] == "pi"
    with pytest.raises(ValueError):
        resolve_profile("turbo")


def test_the_pi_profile_lowers_resolution_fps_speed_model_and_limits():
    full, pi = apply_profile(Settings(profile="full")), apply_profile(Settings(profile="pi"))
    assert full == Settings(profile="full")
    assert (pi.width, pi.height, pi.fps) == (800, 480, 30)
    assert pi.speed < full.speed
    for key in ("max_heads", "max_layers", "max_embed", "max_context"):
        assert getattr(pi, key) < getattr(full, key)
    start = GPTConfig(vocab_size=2, **{key: getattr(pi, key) for key in START_ARCHITECTURE})
    default = GPTConfig(vocab_size=2)
    assert start.layers * start.embed ** 2 < default.layers * default.embed ** 2
    for key in START_ARCHITECTURE:      # a visitor can get back to the starting model
        assert getattr(start, key) <= getattr(pi, f"max_{key}")
    with pytest.raises(ValueError):
        apply_profile(Settings(profile="auto"))


@pytest.fixture
def fake_app(monkeypatch):
    """Stands in for the app and the renderer; records the Settings they receive."""
    calls = []
    app = types.ModuleType("signet_arcade.app")
    app.run = lambda settings: calls.append(settings) or 0
    render = types.ModuleType("signet_arcade.media.render")
    render.render_video = lambda settings, *rest: calls.append(settings) or 0
    monkeypatch.setitem(sys.modules, "signet_arcade.app", app)
    monkeypatch.setitem(sys.modules, "signet_arcade.media.render", render)
    monkeypatch.setattr(profile, "detect", lambda: ("pi", "a slow test machine"))
    return calls


def test_cli_applies_the_profile_and_says_why_auto_chose_it(fake_app, capsys):
    cli.main([])
    cli.main(["--profile", "full"])
    auto, full = fake_app
    assert auto == apply_profile(Settings(profile="pi"))
    assert full == Settings(profile="full")
    assert "low-power profile 'pi': a slow test machine" in capsys.readouterr().err


def test_render_never_picks_the_profile_by_machine(fake_app):
    cli.main(["render", "--steps", "10", "--out", "/tmp/v.mp4"])
    cli.main(["render", "--steps", "10", "--out", "/tmp/v.mp4", "--profile", "pi"])
    auto, pi = fake_app
    assert (auto.profile, auto.width, auto.layers) == ("full", 1280, None)
    assert (pi.profile, pi.width, pi.layers) == ("pi", 800, 1)


def test_flags_and_config_keys_win_over_the_profile(fake_app, tmp_path):
    config = tmp_path / "pi.toml"
    config.write_text('profile = "pi"\nfps = 50\nmax_layers = 3\nlayers = 3\n')
    cli.main(["--config", str(config), "--size", "1024x600"])
    [s] = fake_app
    assert s.profile == "pi"
    assert (s.width, s.height, s.fps, s.max_layers, s.layers) == (1024, 600, 50, 3, 3)
    assert (s.speed, s.max_embed, s.embed) == (PI_DEFAULTS["speed"], PI_DEFAULTS["max_embed"],
                                               PI_DEFAULTS["embed"])
    cli.main(["--config", str(config), "--profile", "full"])
    assert (fake_app[1].fps, fake_app[1].width, fake_app[1].max_embed) == (50, 1280, 128)


def test_the_starting_architecture_reaches_the_first_trainer_and_attract_mode():
    settings = Settings(preset="patterns", heads=2, layers=1, embed=16, context=16)
    session = Session(settings)
    c = session.trainer.cfg
    assert (c.heads, c.layers, c.embed, c.context) == (2, 1, 16, 16)
    session.apply(cmd.SetArchitecture(heads=4, layers=2, embed=32, context=24))
    assert session.starting_config() == GPTConfig(vocab_size=2, heads=2, layers=1, embed=16, context=16)
    unset = Session(dataclasses.replace(settings, heads=None, layers=None, embed=None, context=None))
    assert unset.trainer.cfg == dataclasses.replace(GPTConfig(vocab_size=2), vocab_size=unset.trainer.cfg.vocab_size)


def test_the_pi_profile_starts_the_session_with_its_smaller_model():
    session = Session(apply_profile(Settings(profile="pi", preset="patterns")))
    assert session.trainer.cfg.layers == PI_DEFAULTS["layers"]
    assert session.trainer.cfg.embed == PI_DEFAULTS["embed"]


@pytest.mark.parametrize("toml, words", [
    ("heads = 0\n", "heads: expected a whole number from 1 to 16, got 0"),
    ('embed = "big"\n', "embed: expected a whole number from 8 to 256"),
    ("heads = 5\n", "heads: embed (48) must be divisible by heads (5)"),
    ("heads = 3\nembed = 32\n", "heads, embed: embed (32) must be divisible by heads (3)"),
    ("layers = 4\nmax_layers = 2\n", "layers: 4 is more than max_layers (2)"),
])
def test_bad_architecture_keys_are_reported_and_defaulted(tmp_path, toml, words):
    config = tmp_path / "arcade.toml"
    config.write_text(toml)
    pi = apply_profile(Settings(profile="pi"))
    for defaults, expected in ((None, Settings()), (pi, pi)):
        settings, warnings = load_config(config, defaults)
        assert any(words in w for w in warnings), warnings
        for key in START_ARCHITECTURE:
            assert getattr(settings, key) == getattr(expected, key)


def test_the_pi_guides_config_example_loads_and_keeps_the_profile(tmp_path):
    import re
    from pathlib import Path
    guide = (Path(__file__).resolve().parent.parent / "docs" / "RASPBERRY_PI.md").read_text()
    [example] = re.findall(r"```toml\n(.*?)```", guide, re.S)
    config = tmp_path / "signet-arcade.toml"
    config.write_text(example)
    settings, warnings = load_config(config, apply_profile(Settings(profile="pi")))
    assert warnings == []
    assert settings.profile == "pi" and settings.kiosk
    for key, value in PI_DEFAULTS.items():
        assert getattr(settings, key) == value, key
