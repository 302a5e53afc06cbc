"""Keep a kiosk alive: an exception in one part (drawing a panel, a training step) is logged with
its traceback, that part is reset, and the app goes on.

The log rotates, so a year of running cannot fill the disk; a part that fails every frame logs
its first tracebacks in full and then only every `quiet_every`-th failure, so it cannot flood it.
"""
from __future__ import annotations

import logging
import logging.handlers
from collections import Counter
from pathlib import Path
from typing import Callable, TypeVar

LOG_FILE = "signet-arcade.log"

T = TypeVar("T")


def setup_logging(log_dir: str | Path, max_bytes: int = 1_000_000, backups: int = 5,
                  logger_name: str = "signet_arcade") -> logging.Logger:
    """Attach a rotating log file in `log_dir` (created if missing) to the app's logger.

    Calling it again for the same folder adds no second handler. If the folder cannot be made,
    logging goes to stderr instead and says why: a read-only disk must not stop the kiosk.
    """
    logger = logging.getLogger(logger_name)
    logger.setLevel(logging.INFO)
    path = (Path(log_dir) / LOG_FILE).resolve()
    for handler in logger.handlers:
        if getattr(handler, "baseFilename", None) == str(path):
            return logger
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes,
                                                       backupCount=backups, encoding="utf-8")
    except OSError as e:
        handler = logging.StreamHandler()
        logger.addHandler(handler)
        logger.warning("cannot write logs to %s (%s); logging to stderr", path, e)
        return logger
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return logger


class Watchdog:
    def __init__(self, logger: logging.Logger | None = None, full_tracebacks: int = 3,
                 quiet_every: int = 1000):
        self.log = logger or logging.getLogger("signet_arcade.watchdog")
        self.full_tracebacks = full_tracebacks
        self.quiet_every = quiet_every
        self.failures: Counter[str] = Counter()

    @property
    def total_failures(self) -> int:
        return sum(self.failures.values())

    def guard(self, part_name: str, fn: Callable[[], T], on_error: Callable[[], object]) -> T | None:
        """fn()'s result; if it raises, log, call on_error() to reset the part, return None."""
        try:
            return fn()
        except Exception:
            self.failures[part_name] += 1
            self._report(part_name)
        try:
            on_error()
        except Exception:
            # A reset that fails leaves the part broken, but the rest of the kiosk keeps going.
            self.failures[part_name + " reset"] += 1
            self.log.exception("resetting %s failed too", part_name)
        return None

    def _report(self, part_name: str) -> None:
        count = self.failures[part_name]
        if count <= self.full_tracebacks:
            self.log.exception("%s failed (failure %d); resetting it", part_name, count)
        elif count % self.quiet_every == 0:
            self.log.error("%s has now failed %d times; still resetting it", part_name, count)
