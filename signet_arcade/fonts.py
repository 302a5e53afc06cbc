"""Font choice, in one place.

We ship no font of our own: pygame_gui bundles NotoSans (text) and FiraCode (monospace), both
under the SIL Open Font License (see fonts/README.md). If they cannot be found, pygame's own
default font is used, so a missing font file never stops the app.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import pygame

log = logging.getLogger(__name__)

_FILES = {
    "text": "NotoSans-Regular.ttf",
    "bold": "NotoSans-Bold.ttf",
    "mono": "FiraCode-Regular.ttf",
}


def _bundled_dir() -> Path | None:
    try:
        import pygame_gui
    except ImportError:
        return None
    return Path(pygame_gui.__file__).resolve().parent / "data"


def font_path(role: str) -> str | None:
    """Path of the font file for a role ('text', 'bold', 'mono'), or None for pygame's default."""
    folder = _bundled_dir()
    if folder is None:
        return None
    path = folder / _FILES.get(role, _FILES["text"])
    return str(path) if path.is_file() else None


def get(role: str, size: int) -> pygame.font.Font:
    """A cached font for a role and pixel size; falls back to pygame's default font."""
    size = max(6, int(size))
    if not pygame.font.get_init():
        pygame.font.init()
    font = _load(role, size)
    try:
        font.get_height()
    except pygame.error:       # pygame was quit and started again (tests, app restarts): reload
        _load.cache_clear()
        font = _load(role, size)
    return font


@lru_cache(maxsize=128)
def _load(role: str, size: int) -> pygame.font.Font:
    path = font_path(role)
    if path is not None:
        try:
            return pygame.font.Font(path, size)
        except (OSError, pygame.error) as exc:
            log.warning("font %s could not be loaded (%s); using pygame's default", path, exc)
    return pygame.font.Font(None, size)


get.cache_clear = _load.cache_clear     # kept for callers that clear it after restarting pygame
