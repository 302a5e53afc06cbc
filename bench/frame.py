"""Frame cost and training throughput of the dashboard, headless.

Prints:
  - ms per frame for drawing alone (panels, status line, controls), and for a whole frame
    minus its training (commands, snapshot, UI update and drawing);
  - the bare Trainer's steps/s, and steps/s inside the real app loop at the default speed,
    measured in alternating rounds in this one process so load from elsewhere hits both alike;
    their ratio (target: the app keeps >= 75 % of the bare trainer's steps/s). As in the app,
    samples are written by a helper process when there is a second core.

The profile's defaults apply as in the app (pi: 800x480, 30 fps, a smaller model); --size wins.

    python bench/frame.py [--size WxH] [--profile full|pi] [--speed N] [--seconds 3] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
import signet_arcade.cli  # noqa: E402,F401 - sets the BLAS thread count the app runs with

import pygame  # noqa: E402

from signet_arcade.app import App  # noqa: E402
from signet_arcade.nn import Trainer  # noqa: E402
from signet_arcade.profile import apply_profile  # noqa: E402
from signet_arcade.settings import Settings  # noqa: E402


def parse_size(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


def draw_ms(app: App, frames: int) -> tuple[float, float]:
    """(ms per draw alone, ms per whole frame minus its training step), median over `frames`.

    One training step per frame keeps the snapshot changing as in a live run (it is rebuilt
    every 0.2 s of animation time), so the panels' caches are redrawn as often as they would be.
    """
    draws, frame_rest = [], []
    dt = 1 / app.settings.fps
    for _ in range(frames):
        start = time.perf_counter()
        app.session.train(1, None)
        trained = time.perf_counter()
        app.tick(dt, exact_steps=0)
        frame_rest.append(time.perf_counter() - trained)
        snap = app.session.snapshot(app.time)
        start = time.perf_counter()
        app._draw(snap, dt)
        draws.append(time.perf_counter() - start)
    return 1000 * statistics.median(draws), 1000 * statistics.median(frame_rest)


def bare_steps_per_s(trainer: Trainer, seconds: float) -> float:
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        trainer.step()
        n += 1
    return n / (time.perf_counter() - start)


def app_steps_per_s(app: App, seconds: float) -> tuple[float, float]:
    """(steps/s, frames/s) of the real loop: clock at the frame rate, events, tick, flip."""
    clock = pygame.time.Clock()
    clock.tick()
    steps0, frames0 = app.steps, app.frames
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        app.live_frame(clock)
    elapsed = time.perf_counter() - start
    return (app.steps - steps0) / elapsed, (app.frames - frames0) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=parse_size, help="window size, WxH (default: the profile's)")
    parser.add_argument("--profile", choices=("full", "pi"), default="full")
    parser.add_argument("--speed", type=int, help="steps per frame, at most (default: the profile's); "
                        "a high value shows the share of a frame the budget leaves to training")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each timed round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating bare/app rounds")
    parser.add_argument("--draw-frames", type=int, default=120)
    args = parser.parse_args()

    settings = apply_profile(Settings(headless=True, profile=args.profile, autotrain=True))
    if args.size:
        settings.width, settings.height = args.size
    if args.speed:
        settings.speed = args.speed
    w, h = settings.width, settings.height
    app = App(settings)
    for _ in range(30):                       # warm caches (cards, glyphs, fonts) first
        app.tick(1 / settings.fps, exact_steps=1)
    draw, frame = draw_ms(app, args.draw_frames)

    session = app.session
    bare = Trainer(session.text, cfg=session.trainer.cfg, lr=session.trainer.lr,
                   batch_size=session.trainer.batch_size, seed=1)
    bare_steps_per_s(bare, 0.5)
    bare_rates, app_rates, fps_rates = [], [], []
    for _ in range(args.rounds):
        bare_rates.append(bare_steps_per_s(bare, args.seconds))
        rate, fps = app_steps_per_s(app, args.seconds)
        app_rates.append(rate)
        fps_rates.append(fps)
    bare_rate, app_rate = statistics.median(bare_rates), statistics.median(app_rates)

    cfg = session.trainer.cfg
    print(f"size={w}x{h} profile={args.profile} speed={session.speed} fps_cap={settings.fps} "
          f"model: heads={cfg.heads} layers={cfg.layers} embed={cfg.embed} context={cfg.context} "
          f"batch={session.trainer.batch_size} blas_threads={os.environ.get('OPENBLAS_NUM_THREADS')}")
    print(f"draw_ms={draw:.2f} (target <= 4)  frame_minus_training_ms={frame:.2f}")
    print(f"bare_steps_per_s={bare_rate:.1f}  app_steps_per_s={app_rate:.1f}  app_fps={statistics.median(fps_rates):.1f}")
    print(f"ratio={app_rate / bare_rate:.2f} (target >= 0.75)")
    app.session.close()
    pygame.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
