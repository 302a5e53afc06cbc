"""Python code read at run time from the running interpreter's own standard library: a real,
varied corpus present on every machine, so we ship none of it."""
from __future__ import annotations

import importlib.util
import sysconfig
from pathlib import Path

from signet_arcade.presets.text_files import TextFileError

# Small, readable, pure-Python modules present in every CPython 3.11+; a fixed order keeps the
# corpus the same on every run of one interpreter.
MODULES = ("bisect", "colorsys", "fnmatch", "keyword", "copy", "reprlib", "sched", "textwrap",
           "string", "shlex", "queue", "graphlib", "operator", "numbers", "heapq", "random",
           "fractions", "functools", "contextlib", "statistics")
MAX_CHARS = 300_000


def _module_source(name: str) -> str | None:
    path = Path(sysconfig.get_paths()["stdlib"]) / f"{name}.py"
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    # A zipped or relocated standard library still answers through its import loader.
    try:
        spec = importlib.util.find_spec(name)
        return spec.loader.get_source(name) if spec and spec.loader else None
    except (ImportError, AttributeError, OSError):
        return None


def load() -> str:
    parts, total = [], 0
    for name in MODULES:
        source = _module_source(name)
        if not source:
            continue
        parts.append(f"# ---- {name}.py ----\n{source}\n")
        total += len(parts[-1])
        if total >= MAX_CHARS:
            break
    if not parts:
        raise TextFileError("This computer's Python library could not be read, "
                            "so the Python code preset is not available.")
    text = "".join(parts)[:MAX_CHARS]
    return text[:text.rfind("\n") + 1]
