"""The curator's config file: good values land, bad ones are named and defaulted, nothing crashes."""
import dataclasses

import pytest

from signet_arcade.settings import RULES, Settings, apply_overrides, check_value, load_config


def _config(tmp_path, text):
    path = tmp_path / "arcade.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_setting_but_the_config_path_has_a_rule_and_its_default_passes_it():
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert set(RULES) == fields - {"config_path"}
    defaults = Settings()
    for key in RULES:
        assert check_value(key, getattr(defaults, key)) == getattr(defaults, key)


def test_good_values_are_read(tmp_path):
    (tmp_path / "texts").mkdir()
    path = _config(tmp_path, """
        kiosk = true
        idle_timeout = 45
        fps = 30
        width = 800
        height = 480
        exit_gesture = "Ctrl+Alt+X"
        profile = "pi"
        lr = 0.001
        recording_allowed = false
        presets_dir = "texts"
        max_layers = 2
    """)
    settings, warnings = load_config(path)
    assert warnings == []
    assert settings.kiosk is True and settings.recording_allowed is False
    assert settings.idle_timeout == 45.0 and isinstance(settings.idle_timeout, float)
    assert (settings.fps, settings.width, settings.height, settings.max_layers) == (30, 800, 480, 2)
    assert settings.exit_gesture == "ctrl+alt+x"
    assert settings.profile == "pi" and settings.lr == 0.001
    # relative paths are taken next to the config file, not the working folder
    assert settings.presets_dir == str(tmp_path / "texts")
    assert settings.config_path == str(path)


def test_a_bad_value_is_named_and_falls_back_to_its_default_alone(tmp_path):
    settings, warnings = load_config(_config(tmp_path, 'idle_timeout = "soon"\nfps = 30\n'))
    assert warnings == ["idle_timeout: expected a number of seconds >= 10 (at most 86400), "
                        "got 'soon'; using the default 90"]
    assert settings.idle_timeout == 90.0
    assert settings.fps == 30


@pytest.mark.parametrize("line, key", [
    ("fps = 0", "fps"),
    ("fps = 30.5", "fps"),
    ("width = true", "width"),
    ("kiosk = 1", "kiosk"),
    ("kiosk = \"yes\"", "kiosk"),
    ("profile = \"turbo\"", "profile"),
    ("exit_gesture = \"q\"", "exit_gesture"),
    ("exit_gesture = \"ctrl+shift+\"", "exit_gesture"),
    ("exit_gesture = \"ctrl+banana\"", "exit_gesture"),
    ("lr = 5", "lr"),
    ("temperature = -1", "temperature"),
    ("idle_timeout = 3", "idle_timeout"),
    ("log_dir = \"\"", "log_dir"),
    ("max_heads = 100", "max_heads"),
    ("preset = \"no such text\"", "preset"),
    ("presets_dir = \"missing-folder\"", "presets_dir"),
    ("text_file = \"missing.txt\"", "text_file"),
])
def test_each_kind_of_bad_value_is_reported_and_defaulted(tmp_path, line, key):
    settings, warnings = load_config(_config(tmp_path, line + "\n"))
    assert len(warnings) == 1 and warnings[0].startswith(f"{key}: ")
    assert getattr(settings, key) == getattr(Settings(), key)


def test_unknown_keys_are_warned_with_a_suggestion(tmp_path):
    settings, warnings = load_config(_config(tmp_path, "idle_timout = 30\n"))
    assert warnings == ["idle_timout: not a setting Signet Arcade knows "
                        "(did you mean 'idle_timeout'?); ignored"]
    assert settings.idle_timeout == 90.0


@pytest.mark.parametrize("content", ["kiosk = = true\n", "[[[", b"\xff\xfe\x00bad"])
def test_a_broken_file_gives_all_defaults_and_one_warning(tmp_path, content):
    path = tmp_path / "broken.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    settings, warnings = load_config(path)
    assert len(warnings) == 1 and "using all defaults" in warnings[0]
    assert dataclasses.replace(settings, config_path=None) == Settings()


def test_a_missing_file_gives_all_defaults_and_one_warning(tmp_path):
    settings, warnings = load_config(tmp_path / "nope.toml")
    assert len(warnings) == 1 and "no such config file" in warnings[0]
    assert settings.fps == 60


def test_a_curators_preset_can_be_the_default(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "museum.txt").write_text("# Our museum's guide\nWelcome to the hall.\n")
    settings, warnings = load_config(_config(tmp_path, 'presets_dir = "texts"\npreset = "museum"\n'))
    assert warnings == [] and settings.preset == "museum"


def test_overrides_replace_only_what_was_given():
    base = Settings(fps=30, kiosk=True)
    result = apply_overrides(base, {"fps": 50, "seed": None, "kiosk": None})
    assert (result.fps, result.kiosk, result.seed) == (50, True, 0)
    assert base.fps == 30  # the original is untouched
    with pytest.raises(KeyError):
        apply_overrides(base, {"colour": "red"})


def test_architecture_limits_stay_within_what_the_model_accepts():
    from signet_arcade.nn.config import LIMITS
    for key in ("heads", "layers", "embed", "context"):
        low, high = LIMITS[key]
        assert check_value(f"max_{key}", high) == high
        with pytest.raises(ValueError):
            check_value(f"max_{key}", high + 1)
        assert low <= getattr(Settings(), f"max_{key}") <= high


def test_the_example_config_in_the_kiosk_guide_names_every_key_and_loads(tmp_path):
    import re
    from pathlib import Path
    guide = (Path(__file__).resolve().parent.parent / "docs" / "KIOSK.md").read_text()
    [example] = re.findall(r"```toml\n(.*?)```", guide, re.S)
    named = set(re.findall(r"^#? ?(\w+) =", example, re.M))
    assert named == set(RULES)
    settings, warnings = load_config(_config(tmp_path, example))
    # the example's presets folder is a museum's path, absent here; nothing else may be wrong
    assert [w.split(":")[0] for w in warnings] == ["presets_dir"]
    assert settings.kiosk is True
    folders = ("recordings_dir", "screenshots_dir", "log_dir")
    for key in folders:   # relative folders land beside the config file
        assert getattr(settings, key) == str(tmp_path / getattr(Settings(), key))
    as_defaults = dataclasses.replace(settings, kiosk=False, config_path=None,
                                      **{key: getattr(Settings(), key) for key in folders})
    assert as_defaults == Settings()
