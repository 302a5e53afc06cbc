"""The command line: every flag documented, bad values refused clearly, config < flags."""
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from signet_arcade import cli

ROOT = Path(__file__).resolve().parent.parent

RUN_FLAGS = ["--preset", "--text-file", "--size", "--fullscreen", "--seed", "--speed", "--headless",
             "--frames", "--screenshot", "--autotrain", "--kiosk", "--config", "--profile", "--fps"]
RENDER_FLAGS = ["--preset", "--steps", "--fps", "--size", "--out", "--seed", "--steps-per-frame"]


@pytest.fixture
def fake_app(monkeypatch):
    """Stands in for signet_arcade.app and .media.render; records the Settings they receive."""
    calls = []
    app = types.ModuleType("signet_arcade.app")
    app.run = lambda settings: calls.append(("run", settings)) or 0
    render = types.ModuleType("signet_arcade.media.render")
    render.render_video = lambda *a: calls.append(("render",) + a) or 0
    monkeypatch.setitem(sys.modules, "signet_arcade.app", app)
    monkeypatch.setitem(sys.modules, "signet_arcade.media.render", render)
    # "auto" resolves the same on every machine (tests/test_profile.py tests the detection)
    monkeypatch.setattr("signet_arcade.profile.detect", lambda: ("full", "a test machine"))
    for key in ("SDL_VIDEODRIVER", "SDL_AUDIODRIVER"):
        monkeypatch.delenv(key, raising=False)
    return calls


def test_help_documents_every_flag(capsys):
    for argv, flags in ((["--help"], RUN_FLAGS), (["render", "--help"], RENDER_FLAGS)):
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        assert e.value.code == 0
        out = capsys.readouterr().out
        for flag in flags:
            assert flag in out, f"{flag} missing from {' '.join(argv)}"
    assert "rhymes" in out  # the presets are listed


def test_flags_reach_the_app_as_settings(fake_app):
    assert cli.main(["--preset", "sums", "--size", "800x480", "--fullscreen", "--seed", "7",
                     "--speed", "20", "--frames", "5", "--screenshot", "/tmp/x.png", "--autotrain",
                     "--kiosk", "--profile", "pi", "--fps", "30"]) == 0
    [(what, s)] = fake_app
    assert what == "run"
    assert (s.preset, s.width, s.height, s.seed, s.speed, s.frames, s.fps, s.profile) == \
        ("sums", 800, 480, 7, 20, 5, 30, "pi")
    assert s.fullscreen and s.autotrain and s.kiosk and s.screenshot == "/tmp/x.png"
    assert not s.headless and "SDL_VIDEODRIVER" not in os.environ


def test_no_flags_gives_the_defaults(fake_app):
    cli.main([])
    [(_, s)] = fake_app
    assert s == cli.Settings(profile="full")   # "auto", resolved


def test_headless_selects_the_dummy_video_driver(fake_app):
    cli.main(["--headless", "--frames", "1"])
    assert fake_app[0][1].headless
    assert os.environ["SDL_VIDEODRIVER"] == "dummy"


def test_flags_win_over_the_config_file_and_its_warnings_go_to_stderr(fake_app, tmp_path, capsys):
    config = tmp_path / "arcade.toml"
    config.write_text('fps = 30\nspeed = 50\nkiosk = true\nidle_timeout = "soon"\n')
    cli.main(["--config", str(config), "--fps", "45"])
    [(_, s)] = fake_app
    assert (s.fps, s.speed, s.kiosk, s.idle_timeout) == (45, 50, True, 90.0)
    assert s.config_path == str(config)
    assert "idle_timeout: expected a number of seconds" in capsys.readouterr().err


def test_a_broken_config_file_still_runs_with_defaults(fake_app, tmp_path, capsys):
    config = tmp_path / "arcade.toml"
    config.write_text("this is = = not toml")
    assert cli.main(["--config", str(config)]) == 0
    assert fake_app[0][1].fps == 60
    assert "using all defaults" in capsys.readouterr().err


def test_a_preset_from_the_curators_folder_is_accepted(fake_app, tmp_path):
    (tmp_path / "harbour.txt").write_text("The boats come home.\n")
    config = tmp_path / "arcade.toml"
    config.write_text(f'presets_dir = "{tmp_path}"\n')
    cli.main(["--config", str(config), "--preset", "harbour"])
    assert fake_app[0][1].preset == "harbour"


def test_render_passes_its_numbers_and_is_headless(fake_app):
    cli.main(["render", "--preset", "patterns", "--steps", "300", "--size", "640x360",
              "--out", "/tmp/v.mp4", "--seed", "3", "--steps-per-frame", "5"])
    [(what, s, steps, fps, out, steps_per_frame)] = fake_app
    assert what == "render"
    assert (steps, fps, out, steps_per_frame) == (300, 30, "/tmp/v.mp4", 5)
    assert (s.preset, s.width, s.height, s.seed, s.headless) == ("patterns", 640, 360, 3, True)
    cli.main(["render", "--steps", "10", "--out", "/tmp/v.mp4"])
    assert fake_app[1][5] is None  # the renderer picks the steps per frame itself


@pytest.mark.parametrize("argv, words", [
    (["--size", "big"], "--size"),
    (["--size", "10x10"], "--size"),
    (["--fps", "abc"], "expected a whole number"),
    (["--fps", "0"], "--fps"),
    (["--speed", "-5"], "--speed"),
    (["--seed", "1.5"], "--seed"),
    (["--frames", "0"], "--frames"),
    (["--profile", "turbo"], "invalid choice"),
    (["--preset", "no-such-text"], "choose from rhymes"),
    (["--text-file", "/no/such/file.txt"], "no such file"),
    (["--bogus"], "unrecognized arguments"),
    (["render", "--steps", "10"], "--out"),
    (["render", "--steps", "0", "--out", "x.mp4"], "--steps"),
])
def test_bad_values_give_a_clear_error_and_exit_code_2(fake_app, capsys, argv, words):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert fake_app == []


def test_blas_threads_are_limited_before_numpy_is_imported():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = ("import sys, os, signet_arcade.cli; "
            "assert 'numpy' not in sys.modules, 'cli imported numpy'; "
            "print(os.environ['OPENBLAS_NUM_THREADS'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == str(cli.BLAS_THREADS)


@pytest.mark.parametrize("guide_name", ["KIOSK.md", "RASPBERRY_PI.md"])
def test_every_flag_in_the_guides_exists(guide_name):
    import re
    guide = (ROOT / "docs" / guide_name).read_text()
    known = set(cli.build_parser()._option_string_actions)
    guide = re.sub(r"(systemctl|journalctl) [^\n]*", "", guide)   # their own flags, not ours
    mentioned = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", guide))
    assert mentioned and mentioned <= known
