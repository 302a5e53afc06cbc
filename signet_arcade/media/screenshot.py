"""Save what the window shows as a PNG (F12, `--screenshot PATH`)."""
from __future__ import annotations

import logging
from pathlib import Path

import pygame

from signet_arcade.media.filenames import timestamped_path

log = logging.getLogger(__name__)


def save_screenshot(surface: pygame.Surface, path_or_dir: str | Path) -> Path | None:
    """Write `surface` as PNG; returns the path written, or None when it could not be saved.

    A path ending in .png is used as given; anything else is a folder that receives a
    timestamped file. Missing folders are created. A full disk or a read-only folder is
    logged, never raised: a screenshot must not stop the app.
    """
    target = Path(path_or_dir)
    try:
        if target.suffix.lower() != ".png":
            target.mkdir(parents=True, exist_ok=True)
            target = timestamped_path(target, ".png")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(surface, str(target))
    except (OSError, pygame.error) as exc:
        log.error("could not save the screenshot %s: %s", target, exc)
        return None
    return target
