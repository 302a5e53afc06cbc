"""What live recording costs the main loop, headless at 1280x720.

1. ms per LiveRecording.capture() of a busy synthetic frame, paced at the recording's 30 fps while
   the encoder process runs (so queue traffic is included); pygame.image.tobytes(..., "RGB") on the
   same frames, interleaved, as a reference.
2. The real app, run like `signet-arcade --autotrain` at 60 fps: frames/s and training steps/s in
   alternating blocks without and with recording, so noise from the shared machine cancels.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # as the CLI sets it
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import pygame  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from signet_arcade.media.live import LiveRecording  # noqa: E402
from signet_arcade.scenes import theme  # noqa: E402
from signet_arcade.scenes.panel import draw_frame  # noqa: E402

SIZE = (1280, 720)
RECORD_FPS = 30
CAPTURE_SECONDS = 4.0
APP_BLOCK_SECONDS = 3.0
APP_BLOCKS = 2            # per condition


def draw_busy_frame(screen: pygame.Surface, i: int) -> None:
    """Something like the dashboard: cards, moving dots, so the encoder has real work."""
    screen.fill(theme.BACKGROUND)
    w, h = SIZE
    for k in range(6):
        rect = pygame.Rect(10 + (k % 3) * (w // 3), 10 + (k // 3) * (h // 2), w // 3 - 20, h // 2 - 20)
        draw_frame(screen, rect, f"Panel {k}")
        for j in range(40):
            x = rect.x + 20 + (j * 37 + i * (k + 1) * 3) % (rect.width - 40)
            y = rect.y + 50 + (j * 53 + i * 2) % (rect.height - 70)
            pygame.draw.circle(screen, theme.HEAD_COLORS[j % 8], (x, y), 4)


def capture_cost(folder: Path) -> None:
    screen = pygame.Surface(SIZE)
    live = LiveRecording(folder, folder, fps=RECORD_FPS)
    live.toggle(SIZE)
    capture_ms, tobytes_ms = [], []
    next_frame = time.perf_counter()
    for i in range(int(CAPTURE_SECONDS * RECORD_FPS)):
        draw_busy_frame(screen, i)
        t0 = time.perf_counter()
        live.capture(screen)
        t1 = time.perf_counter()
        pygame.image.tobytes(screen, "RGB")
        t2 = time.perf_counter()
        capture_ms.append((t1 - t0) * 1000)
        tobytes_ms.append((t2 - t1) * 1000)
        next_frame += 1 / RECORD_FPS
        time.sleep(max(0.0, next_frame - time.perf_counter()))
    result = live.close()
    # The first second includes the encoder process starting: until it takes frames, each capture
    # fills a fresh slot of shared memory, and touching new pages costs a few ms per frame.
    startup, steady = capture_ms[:RECORD_FPS], sorted(capture_ms[RECORD_FPS:])
    print(f"capture() {SIZE[0]}x{SIZE[1]} at {RECORD_FPS} fps: steady median {statistics.median(steady):.2f} ms, "
          f"p95 {steady[int(0.95 * len(steady))]:.2f} ms; first second mean {statistics.mean(startup):.2f} ms "
          f"(reference tobytes RGB: median {statistics.median(tobytes_ms):.2f} ms); "
          f"frames written {result.frames_written}, dropped {result.frames_dropped}")


def app_with_and_without_recording(folder: Path) -> None:
    from signet_arcade.app import App
    from signet_arcade.settings import Settings

    settings = Settings(width=SIZE[0], height=SIZE[1], headless=True, autotrain=True,
                        recordings_dir=str(folder), screenshots_dir=str(folder))
    app = App(settings)
    live = LiveRecording.from_settings(settings)
    clock = pygame.time.Clock()
    figures = {False: [], True: []}
    dropped = written = 0
    for block in range(2 * APP_BLOCKS):
        recording = block % 2 == 1
        if recording:
            live.toggle(app.screen.get_size())
        frames, steps0, start = 0, app.steps, time.perf_counter()
        while time.perf_counter() - start < APP_BLOCK_SECONDS:
            dt = clock.tick(settings.fps) / 1000
            pygame.event.pump()
            app.tick(dt)
            live.capture(app.screen)
            live.draw_overlay(app.screen, app.time)
            frames += 1
        elapsed = time.perf_counter() - start
        figures[recording].append((frames / elapsed, (app.steps - steps0) / elapsed))
        if recording:
            live.toggle(app.screen.get_size())
            result = live.close()
            dropped += result.frames_dropped
            written += result.frames_written
    for recording, rows in figures.items():
        fps = statistics.mean(r[0] for r in rows)
        sps = statistics.mean(r[1] for r in rows)
        print(f"app {SIZE[0]}x{SIZE[1]} {'with' if recording else 'without'} recording: "
              f"{fps:.1f} fps, {sps:.0f} steps/s")
    print(f"recorded frames written {written}, dropped {dropped}")


def main() -> None:
    warnings.simplefilter("ignore")
    pygame.init()
    with tempfile.TemporaryDirectory() as folder:
        capture_cost(Path(folder))
        app_with_and_without_recording(Path(folder))


if __name__ == "__main__":
    main()
