"""Every setting of the app in one dataclass, and the curator's TOML config file.

Precedence: defaults < the performance profile's defaults (signet_arcade/profile.py) < config
file (`load_config`) < command-line flags (`apply_overrides`).
A bad value never stops the app: it is reported with the key's name and replaced by the default.
"""
from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from signet_arcade.kiosk.exit_gesture import parse_gesture
from signet_arcade.presets import DEFAULT_PRESET, list_presets


@dataclass
class Settings:
    # training data
    preset: str = DEFAULT_PRESET
    text_file: str | None = None
    presets_dir: str | None = None
    # window and loop
    width: int = 1280
    height: int = 720
    fullscreen: bool = False
    fps: int = 60
    speed: int = 100                  # training steps per frame, at most
    seed: int = 0
    headless: bool = False
    frames: int | None = None         # quit after this many frames
    screenshot: str | None = None     # PNG of the last frame
    autotrain: bool = False
    # kiosk
    kiosk: bool = False
    idle_timeout: float = 90.0        # seconds without input before attract mode
    exit_gesture: str = "ctrl+shift+q"
    exit_hold_seconds: float = 3.0
    cursor_hide_seconds: float = 3.0
    # media and logs
    recording_allowed: bool = True
    recordings_dir: str = "recordings"
    screenshots_dir: str = "screenshots"
    log_dir: str = "logs"
    profile: str = "auto"             # "auto" | "full" | "pi"
    # training
    lr: float = 3e-4
    temperature: float = 0.4
    # the largest architecture a visitor may choose; kept small enough that one training step
    # fits inside a 60 fps frame on a modest CPU
    max_heads: int = 8
    max_layers: int = 4
    max_embed: int = 128
    max_context: int = 128
    # the model a session starts with (and attract mode returns to); None: the model's own default
    heads: int | None = None
    layers: int | None = None
    embed: int | None = None
    context: int | None = None
    config_path: str | None = None


@dataclass(frozen=True)
class _Rule:
    expected: str                       # finishes "expected ...", e.g. "a whole number >= 1"
    convert: Callable[[Any], Any]       # returns the value to store; raises ValueError if wrong


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return "(none)"
    return repr(value) if isinstance(value, str) else str(value)


def _whole(lo: int, hi: int, optional: bool = False) -> _Rule:
    def convert(v):
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError
        return v
    return _Rule(f"a whole number from {lo} to {hi}", convert)


def _number(lo: float, hi: float) -> _Rule:
    def convert(v):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            raise ValueError
        return float(v)
    return _Rule(f"a number from {_show(lo)} to {_show(hi)}", convert)


def _seconds(lo: float, hi: float) -> _Rule:
    rule = _number(lo, hi)
    return _Rule(f"a number of seconds >= {_show(lo)} (at most {_show(hi)})", rule.convert)


def _flag() -> _Rule:
    def convert(v):
        if not isinstance(v, bool):
            raise ValueError
        return v
    return _Rule("true or false", convert)


def _text(optional: bool = False) -> _Rule:
    def convert(v):
        if v is None and optional:
            return None
        if not isinstance(v, str) or not v.strip():
            raise ValueError
        return v
    return _Rule("a non-empty text in quotes", convert)


def _path(optional: bool = False) -> _Rule:
    def convert(v):
        if v is None and optional:
            return None
        if not isinstance(v, str) or not v.strip() or "\x00" in v:
            raise ValueError
        return v
    return _Rule("a file or folder name in quotes", convert)


def _choice(*options: str) -> _Rule:
    def convert(v):
        if v not in options:
            raise ValueError
        return v
    return _Rule("one of " + ", ".join(repr(o) for o in options), convert)


def _gesture() -> _Rule:
    def convert(v):
        parse_gesture(v)
        return v.strip().lower()
    return _Rule("keys joined by '+' with at least one of ctrl/shift/alt/meta, like 'ctrl+shift+q'",
                 convert)


RULES: dict[str, _Rule] = {
    "preset": _text(),
    "text_file": _path(optional=True),
    "presets_dir": _path(optional=True),
    "width": _whole(320, 7680),
    "height": _whole(240, 4320),
    "fullscreen": _flag(),
    "fps": _whole(1, 240),
    "speed": _whole(1, 10_000),
    "seed": _whole(0, 2**32 - 1),
    "headless": _flag(),
    "frames": _whole(1, 10**9, optional=True),
    "screenshot": _path(optional=True),
    "autotrain": _flag(),
    "kiosk": _flag(),
    "idle_timeout": _seconds(10, 86_400),
    "exit_gesture": _gesture(),
    "exit_hold_seconds": _seconds(0.5, 60),
    "cursor_hide_seconds": _seconds(0.5, 3_600),
    "recording_allowed": _flag(),
    "recordings_dir": _path(),
    "screenshots_dir": _path(),
    "log_dir": _path(),
    "profile": _choice("auto", "full", "pi"),
    "lr": _number(1e-6, 1.0),
    "temperature": _number(0.01, 5.0),
    # within what the model accepts (signet_arcade.nn.config.LIMITS)
    "max_heads": _whole(1, 16),
    "max_layers": _whole(1, 8),
    "max_embed": _whole(8, 256),
    "max_context": _whole(8, 256),
    "heads": _whole(1, 16, optional=True),
    "layers": _whole(1, 8, optional=True),
    "embed": _whole(8, 256, optional=True),
    "context": _whole(2, 256, optional=True),
}

START_ARCHITECTURE = ("heads", "layers", "embed", "context")

# Relative paths in a config file mean "next to the config file", whatever the working folder.
_PATH_KEYS = ("text_file", "presets_dir", "recordings_dir", "screenshots_dir", "log_dir", "screenshot")


def check_value(key: str, value: Any) -> Any:
    """The value as Settings stores it, or ValueError("expected ..."). Shared with the CLI."""
    rule = RULES[key]
    try:
        return rule.convert(value)
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"expected {rule.expected}, got {value!r}") from None


def load_config(path: str | Path, defaults: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a TOML file, plus one warning sentence per problem found. Keys the file does
    not set keep their value in `defaults` (Settings() unless given, e.g. a profile's defaults).

    Never raises for bad content: each bad key falls back to its default; an unreadable or broken
    file gives all defaults and one warning.
    """
    path = Path(path)
    defaults = Settings() if defaults is None else defaults
    all_defaults = dataclasses.replace(defaults, config_path=str(path))
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return all_defaults, [f"{path}: no such config file; using all defaults"]
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        return all_defaults, [f"{path}: could not read it ({e}); using all defaults"]
    except RecursionError:          # brackets nested thousands deep: tomllib recurses
        return all_defaults, [f"{path}: could not read it (nested too deeply); using all defaults"]

    values: dict[str, Any] = {"config_path": str(path)}
    warnings: list[str] = []
    for key, value in data.items():
        if key not in RULES:
            close = difflib.get_close_matches(key, RULES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            warnings.append(f"{key}: not a setting Signet Arcade knows{hint}; ignored")
            continue
        try:
            value = check_value(key, value)
        except ValueError as e:
            warnings.append(f"{key}: {e}; using the default {_show(getattr(defaults, key))}")
            continue
        if key in _PATH_KEYS and value is not None:
            try:
                value = str(path.parent / Path(value).expanduser())
            except RuntimeError:    # "~someone" for a user this computer does not have
                warnings.append(f"{key}: cannot find the home folder in {value!r}; "
                                f"using the default {_show(getattr(defaults, key))}")
                continue
        values[key] = value

    settings = dataclasses.replace(defaults, **values)
    warnings += _check_together(settings, defaults)
    return settings, warnings


def _check_together(settings: Settings, defaults: Settings) -> list[str]:
    """Checks that need more than one key; fixes `settings` in place."""
    warnings = []
    if settings.presets_dir is not None and not Path(settings.presets_dir).is_dir():
        warnings.append(f"presets_dir: {settings.presets_dir!r} is not a folder; "
                        "using only the built-in presets")
        settings.presets_dir = None
    if settings.text_file is not None and not Path(settings.text_file).is_file():
        warnings.append(f"text_file: {settings.text_file!r} is not a file; "
                        f"using the preset {settings.preset!r} instead")
        settings.text_file = None
    names = [p.name for p in list_presets(settings.presets_dir)]
    if settings.preset not in names:
        warnings.append(f"preset: expected one of {', '.join(names)}, got {settings.preset!r}; "
                        f"using the default {_show(defaults.preset)}")
        settings.preset = defaults.preset
    warnings += _check_start_architecture(settings, defaults)
    return warnings


def _check_start_architecture(settings: Settings, defaults: Settings) -> list[str]:
    """The starting model must be one the model accepts (embed divisible by heads) and within
    the max_* a visitor may choose; otherwise all four keys go back to their defaults."""
    # Imported here: the model package loads NumPy, which must wait until the CLI has set
    # the BLAS thread count (signet_arcade/cli.py).
    from signet_arcade.nn.config import GPTConfig
    changed = [key for key in START_ARCHITECTURE if getattr(settings, key) != getattr(defaults, key)]
    if not changed:
        return []
    given = {key: getattr(settings, key) for key in START_ARCHITECTURE if getattr(settings, key) is not None}
    try:
        start = GPTConfig(vocab_size=2, **given)
    except ValueError as e:
        problem = f"{', '.join(changed)}: {str(e).rstrip('.')}"
    else:
        too_big = [key for key in changed if getattr(start, key) > getattr(settings, f"max_{key}")]
        if not too_big:
            return []
        problem = "; ".join(f"{key}: {getattr(start, key)} is more than max_{key} "
                            f"({getattr(settings, f'max_{key}')})" for key in too_big)
    for key in START_ARCHITECTURE:
        setattr(settings, key, getattr(defaults, key))
    return [f"{problem}; starting with the default architecture instead"]


def apply_overrides(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """A copy of `settings` with every override that is not None (a flag the user did not give)."""
    unknown = set(overrides) - {f.name for f in dataclasses.fields(Settings)}
    if unknown:
        raise KeyError(f"not settings: {sorted(unknown)}")
    return dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})
