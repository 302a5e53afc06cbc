"""Training texts: built-in presets, a curator's folder of .txt files, and dropped files."""
from signet_arcade.presets.registry import (DEFAULT_PRESET, Preset, UnknownPreset, list_presets,
                                            load_preset)
from signet_arcade.presets.text_files import MAX_TEXT_BYTES, TextFileError, read_text_file

__all__ = ["DEFAULT_PRESET", "MAX_TEXT_BYTES", "Preset", "TextFileError", "UnknownPreset",
           "list_presets", "load_preset", "read_text_file"]
