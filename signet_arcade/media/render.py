"""`signet-arcade render`: a deterministic, offline time-lapse of training, written to MP4.

Every video frame is one app tick with a fixed dt and a fixed number of training steps, so the
same settings and seed give the same frames, however fast or slow the machine is.
"""
from __future__ import annotations

import dataclasses
import math
import os
import sys
from pathlib import Path
from typing import Callable

from signet_arcade.media.encoder import RecordingUnavailable, VideoEncoder, require_ffmpeg
from signet_arcade.media.progress_bar import ProgressBar

# Without --steps-per-frame, aim for a video about this long.
TARGET_VIDEO_SECONDS = 20.0
# After the last step, the finished model stays on screen this long (animations settle).
HOLD_SECONDS = 2.0


def frame_plan(steps: int, fps: float, steps_per_frame: int | None = None,
               hold_seconds: float = HOLD_SECONDS) -> list[int]:
    """Training steps to run before each video frame: k per frame, the remainder last, then 0s."""
    k = steps_per_frame or max(1, math.ceil(steps / (TARGET_VIDEO_SECONDS * fps)))
    plan = [k] * (steps // k)
    if steps % k:
        plan.append(steps % k)
    return plan + [0] * round(hold_seconds * fps)


def render_video(settings, steps: int, fps: float, out: str | Path, steps_per_frame: int | None = None,
                 *, hold_seconds: float = HOLD_SECONDS, on_frame: Callable[[bytes], None] | None = None) -> int:
    """Render the time-lapse; returns a process exit code. `on_frame` sees each raw frame (tests)."""
    try:
        require_ffmpeg()
    except RecordingUnavailable as exc:
        print(f"signet-arcade render: {exc}", file=sys.stderr)
        return 2
    # Before SDL starts: offline rendering never opens a window.
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from signet_arcade.app import App
    from signet_arcade.media.frames import frame_bytes

    plan = frame_plan(steps, fps, steps_per_frame, hold_seconds)
    # "auto" would pick the low-power look on a slow CPU; a video must not depend on the machine.
    profile = "full" if settings.profile == "auto" else settings.profile
    # Kiosk mode's attract demo runs on the wall clock: it must not switch texts mid-video.
    app = App(dataclasses.replace(settings, headless=True, autotrain=True, profile=profile, kiosk=False))
    out = Path(out)
    bar = ProgressBar(len(plan))
    trained = 0
    try:
        with VideoEncoder(app.screen.get_size(), fps, out, preset="medium") as encoder:
            for n, frame_steps in enumerate(plan, start=1):
                app.tick(1.0 / fps, exact_steps=frame_steps)
                trained += frame_steps
                frame = frame_bytes(app.screen)
                if on_frame is not None:
                    on_frame(frame)
                encoder.write(frame)
                bar.update(n, f"step {trained}/{steps}")
    except KeyboardInterrupt:
        bar.finish()
        print(f"signet-arcade render: interrupted; {out} holds the frames rendered so far", file=sys.stderr)
        return 130
    except OSError as exc:
        bar.finish()
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"signet-arcade render: could not write {out}: {reason}", file=sys.stderr)
        return 1
    bar.finish()
    print(f"wrote {out}: {len(plan)} frames ({len(plan) / fps:.1f} s at {fps:g} fps), {steps} training steps")
    return 0
