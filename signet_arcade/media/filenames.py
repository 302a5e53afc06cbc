"""Names for saved screenshots and recordings: sortable by time, never overwriting each other."""
from __future__ import annotations

import time
from pathlib import Path

PREFIX = "signet-arcade"


def timestamped_path(folder: str | Path, suffix: str, now: float | None = None) -> Path:
    """folder/signet-arcade-YYYYMMDD-HHMMSS<suffix>, with -2, -3, ... if that name is taken."""
    folder = Path(folder)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    path = folder / f"{PREFIX}-{stamp}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{PREFIX}-{stamp}-{n}{suffix}"
        n += 1
    return path
