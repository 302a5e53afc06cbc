"""The monkey at scale: any number of random visitor events against the real app, headless.

Prints events/s; on a failure (an exception, an error the app logged, a blank screen, NaN, or a
gesture that froze the app longer than --freeze seconds) prints the seed and event index and how
to replay it, and exits 1.

    python bench/monkey.py --events 20000 --seed 7
    python bench/monkey.py --events 513 --seed 1 --replay 512      # print the last gestures, then fail
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
import signet_arcade.cli  # noqa: E402,F401 - sets the BLAS thread count the app runs with

import pygame  # noqa: E402

from signet_arcade import commands as cmd  # noqa: E402
from signet_arcade.app import App  # noqa: E402
from signet_arcade.monkey import Monkey, MonkeyFailure, make_files  # noqa: E402
from signet_arcade.settings import Settings  # noqa: E402

REPLAY_CONTEXT = 15          # gestures printed before the replayed one


class Frozen(Exception):
    pass


def _frozen(signum, frame):
    raise Frozen("the app did not come back from this gesture in time (a kiosk freeze)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--replay", type=int, default=None, metavar="INDEX",
                    help="print each gesture from a little before INDEX up to it")
    ap.add_argument("--size", default="800x480")
    ap.add_argument("--steps", type=int, default=1, help="training steps per frame while training")
    ap.add_argument("--freeze", type=float, default=10.0, help="seconds one gesture may take")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    with tempfile.TemporaryDirectory(prefix="signet-monkey-") as tmp:
        tmp = Path(tmp)
        app = App(Settings(headless=True, width=width, height=height, preset="patterns", seed=1,
                           screenshots_dir=str(tmp / "screenshots")))
        app.send(cmd.SetArchitecture(heads=2, layers=1, embed=16, context=16))
        app.tick(1 / 30, exact_steps=0)
        monkey = Monkey(app, args.seed, make_files(tmp / "files"), args.steps)
        signal.signal(signal.SIGALRM, _frozen)

        def on_gesture(index: int, description: str) -> None:
            signal.setitimer(signal.ITIMER_REAL, args.freeze)
            if args.replay is not None and index >= args.replay - REPLAY_CONTEXT:
                print(f"  {index:>7}  {description}", flush=True)

        start = time.perf_counter()
        failure = None
        try:
            monkey.run(args.events, on_gesture)
        except MonkeyFailure as e:
            failure = e
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - start
            pygame.quit()

    print(f"seed {args.seed}: {monkey.index:,} events ({monkey.posted:,} pygame events posted) "
          f"in {elapsed:.1f} s = {monkey.index / elapsed:.1f} events/s, "
          f"{monkey.posted / elapsed:.1f} pygame events/s")
    if failure is not None:
        print(f"FAILED at event {failure.index} ({failure.gesture}), seed {failure.seed}:\n{failure.detail}")
        print(f"replay: python bench/monkey.py --seed {failure.seed} --events {failure.index + 1} "
              f"--replay {failure.index}")
        return 1
    print("no failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
