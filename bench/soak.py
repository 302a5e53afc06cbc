"""Soak: the real app headless at full speed in attract mode for M minutes; does memory grow?

Attract mode (kiosk.KioskMode, fed the app's own clock) cycles the presets; at each new preset the
soak also moves to the next architecture, so models are built and dropped all run long. Prints
RSS (VmRSS) every minute and the number of errors the app logged or raised. Growth per hour is
measured after a warm-up (a minute, and a full round of the presets and architectures) in two
ways: a least-squares line through every sample, and a line through the mean RSS of each full
round of the architectures. Memory rises and falls with the model on screen (the largest is
~15 MB more than the smallest), so the first figure depends on where in that cycle the samples
happen to fall; averaging over whole rounds removes the cycle and leaves what a leak would add.
Target: <= 5 MB/hour over 30 minutes, zero errors. Exits 1 if an error was logged or raised.

    python bench/soak.py --minutes 30
    python bench/soak.py --minutes 3 --preset-seconds 20
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
import signet_arcade.cli  # noqa: E402,F401 - sets the BLAS thread count the app runs with

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from signet_arcade import commands as cmd  # noqa: E402
from signet_arcade.app import App  # noqa: E402
from signet_arcade.kiosk.mode import KioskMode  # noqa: E402
from signet_arcade.presets import list_presets  # noqa: E402
from signet_arcade.settings import Settings  # noqa: E402

# Cycled one per preset: the kiosk default, the smallest, and the largest a visitor may pick.
ARCHITECTURES = (cmd.SetArchitecture(heads=4, layers=2, embed=48, context=64),
                 cmd.SetArchitecture(heads=1, layers=1, embed=8, context=8),
                 cmd.SetArchitecture(heads=2, layers=1, embed=16, context=16),
                 cmd.SetArchitecture(heads=8, layers=4, embed=128, context=128))
WARM_UP = 60.0              # s at least before samples count towards the growth figure...
SAMPLE_EVERY = 5.0          # s between RSS samples


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def growth_per_hour(samples: list[tuple[float, float]]) -> float | None:
    """MB/hour from a least-squares line through (seconds, MB) samples."""
    if len(samples) < 3:
        return None
    t, mb = np.array(samples).T
    return float(np.polyfit(t, mb, 1)[0] * 3600)


def growth_per_hour_by_round(samples: list[tuple[float, float]], round_seconds: float) -> float | None:
    """MB/hour from a line through the mean RSS of each complete round (whole periods only)."""
    if not samples:
        return None
    t0 = samples[0][0]
    rounds: dict[int, list[tuple[float, float]]] = {}
    for t, mb in samples:
        rounds.setdefault(int((t - t0) // round_seconds), []).append((t, mb))
    complete = [r for k, r in sorted(rounds.items()) if r[-1][0] - r[0][0] >= 0.95 * round_seconds]
    means = [(float(np.mean([t for t, _ in r])), float(np.mean([mb for _, mb in r]))) for r in complete]
    return growth_per_hour(means) if len(means) >= 2 else None


def _figure(growth: float | None) -> str:
    return "n/a (too short)" if growth is None else f"{growth:+.1f} MB/hour"


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record):
        self.count += 1
        if self.count <= 3:
            print(f"LOGGED ERROR: {self.format(record)}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--preset-seconds", type=float, default=75.0, help="how long attract mode shows each preset")
    ap.add_argument("--size", default="1280x720")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    errors = _Errors()
    logging.getLogger("signet_arcade").addHandler(errors)
    settings = Settings(headless=True, width=width, height=height, idle_timeout=1.0)
    app = App(settings)
    kiosk = KioskMode(settings, list_presets(settings.presets_dir), now=0.0)
    kiosk.attract.preset_seconds = args.preset_seconds
    raised = frames = presets_shown = 0
    samples: list[tuple[float, float]] = []
    start = last = time.perf_counter()
    # ...and a full round of every preset and architecture: each preset's text is kept once read,
    # and the largest model sets memory's high-water mark (freed memory stays with the process).
    rounds = max(len(ARCHITECTURES), len(kiosk.attract.presets))
    warm_up = max(WARM_UP, rounds * args.preset_seconds + settings.idle_timeout)
    next_sample, next_print = 0.0, 60.0
    print(f"soak {args.minutes:g} min at {width}x{height}, a new preset every {args.preset_seconds:g} s, "
          f"growth measured after {warm_up:.0f} s; RSS at start {rss_mb():.1f} MB", flush=True)
    try:
        while (elapsed := time.perf_counter() - start) < args.minutes * 60:
            for event in pygame.event.get():
                if kiosk.let_through(event, app.time):
                    app.handle_event(event)
            for command in kiosk.update(app.time):
                app.send(command)
                if isinstance(command, cmd.SetPreset):
                    app.send(ARCHITECTURES[presets_shown % len(ARCHITECTURES)])
                    presets_shown += 1
            now = time.perf_counter()
            try:
                app.tick(now - last)
            except Exception:               # the live app would have died here: count it, go on
                raised += 1
                if raised <= 3:
                    traceback.print_exc()
            last = now
            frames += 1
            if elapsed >= next_sample:
                if elapsed >= warm_up:
                    samples.append((elapsed, rss_mb()))
                next_sample += SAMPLE_EVERY
            if elapsed >= next_print:
                print(f"{elapsed / 60:5.1f} min  RSS {rss_mb():7.1f} MB"
                      f"  frames {frames:,}  steps {app.steps:,}  presets {presets_shown}"
                      f"  errors {errors.count + raised}", flush=True)
                next_print += 60.0
    finally:
        pygame.quit()
    elapsed = time.perf_counter() - start
    round_seconds = len(ARCHITECTURES) * args.preset_seconds
    print(f"done: {elapsed / 60:.1f} min, {frames:,} frames ({frames / elapsed:.0f} fps), "
          f"{app.steps:,} training steps, {presets_shown} presets shown, RSS {rss_mb():.1f} MB, "
          f"errors logged {errors.count}, raised {raised}")
    print(f"growth: {_figure(growth_per_hour_by_round(samples, round_seconds))} (mean of each "
          f"{round_seconds:.0f} s round of architectures), {_figure(growth_per_hour(samples))} "
          f"(line through every sample)")
    return 1 if errors.count or raised else 0


if __name__ == "__main__":
    sys.exit(main())
