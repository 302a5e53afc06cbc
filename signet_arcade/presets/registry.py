"""Every training text a visitor can pick: built-in presets plus a curator's folder of .txt files."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from signet_arcade.presets import names, patterns, stdlib_code, sums
from signet_arcade.presets.text_files import TextFileError, decode_text, read_text_file

log = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets" / "presets"

DEFAULT_PRESET = "rhymes"
"""English songs full of repeats: real words appear in the samples soonest, which suits a kiosk."""


class UnknownPreset(ValueError):
    pass


class Preset:
    """A named text, read or generated the first time `load()` is called, then kept."""

    def __init__(self, name: str, description: str, loader: Callable[[], str]):
        self.name = name
        self.description = description
        self._loader = loader
        self._text: str | None = None

    def load(self) -> str:
        if self._text is None:
            self._text = self._loader()
        return self._text

    def __repr__(self) -> str:
        return f"Preset({self.name!r}, {self.description!r})"


def _asset(file_name: str) -> Callable[[], str]:
    return lambda: read_text_file(ASSETS_DIR / file_name)


# Built-in presets live as long as the process, so each is read or generated only once.
_BUILT_IN = [
    Preset("rhymes", "Sing-song rhymes full of repeats: words appear quickly", _asset("rhymes.txt")),
    Preset("verse", "Short original poems about the sea, the seasons and the town", _asset("verse.txt")),
    Preset("dialogues", "Little conversations between friends", _asset("dialogues.txt")),
    Preset("names", "Made-up names built from syllables", names.generate),
    Preset("sums", "Counting and simple sums, like 12 + 7 = 19", sums.generate),
    Preset("patterns", "Simple repeating patterns, learned in seconds", patterns.generate),
    Preset("python", "Python code from this computer's own standard library", stdlib_code.load),
]


def _without_description(text: str) -> str:
    return text.split("\n", 1)[1] if text.startswith("#") and "\n" in text else text


def _curator_preset(path: Path) -> Preset | None:
    """A preset for a curator's .txt file, or None (logged) if the file is not usable text."""
    try:
        with path.open("rb") as f:
            head = decode_text(f.read(4096))
    except (OSError, TextFileError) as e:
        log.warning("preset file %s skipped: %s", path, e)
        return None
    first_line = head.split("\n", 1)[0]
    description = first_line.lstrip("#").strip() if first_line.startswith("#") else ""
    return Preset(path.stem, description or f"Text from {path.name}",
                  lambda: _without_description(read_text_file(path)))


def list_presets(presets_dir: str | Path | None = None) -> list[Preset]:
    """Built-ins first, then the curator's files by name; a curator's file named like a
    built-in replaces it."""
    presets = {p.name: p for p in _BUILT_IN}
    if presets_dir is not None and Path(presets_dir).is_dir():
        for path in sorted(Path(presets_dir).glob("*.txt")):
            preset = _curator_preset(path)
            if preset is not None:
                presets[preset.name] = preset
    return list(presets.values())


def load_preset(name: str, presets_dir: str | Path | None = None) -> str:
    presets = {p.name: p for p in list_presets(presets_dir)}
    if name not in presets:
        raise UnknownPreset(f"There is no preset called {name!r}. "
                            f"The presets are: {', '.join(presets)}.")
    return presets[name].load()
