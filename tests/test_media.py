"""Screenshots, live recording (separate encoder process) and the offline renderer."""
from __future__ import annotations

import dataclasses
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pygame
import pytest

from signet_arcade.media import encoder as encoder_module
from signet_arcade.media.encoder import INSTALL_HINT, RecordingUnavailable
from signet_arcade.media.live import RECORD_KEY, SCREENSHOT_KEY, LiveRecording
from signet_arcade.media.progress_bar import ProgressBar
from signet_arcade.media.recorder import Recorder
from signet_arcade.media.recording_dot import draw_recording_dot
from signet_arcade.media.render import frame_plan, render_video
from signet_arcade.media.screenshot import save_screenshot
from signet_arcade.scenes import theme

ROOT = Path(__file__).resolve().parent.parent

try:
    import imageio_ffmpeg
except ImportError:
    imageio_ffmpeg = None
needs_ffmpeg = pytest.mark.skipif(imageio_ffmpeg is None,
                                  reason="the video extra (imageio-ffmpeg) is not installed: pip install '.[video]'")

COLOURS = [(230, 40, 40), (40, 200, 60), (50, 80, 240), (240, 200, 40)]


@pytest.fixture(autouse=True, scope="module")
def _pygame():
    pygame.init()
    yield


def _coloured(size, colour) -> pygame.Surface:
    surface = pygame.Surface(size)
    surface.fill(colour)
    return surface


def _decode(path: Path):
    """(meta, frames) of a video; frames as (h, w, 3) uint8 arrays."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return meta, [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]


def _mean_rgb(frame: np.ndarray) -> np.ndarray:
    return frame.reshape(-1, 3).mean(axis=0)


# --- screenshots -------------------------------------------------------------------------------
def test_screenshot_to_a_folder_gets_a_timestamped_png_of_the_right_size(tmp_path):
    folder = tmp_path / "new" / "shots"
    first = save_screenshot(_coloured((320, 240), COLOURS[0]), folder)
    second = save_screenshot(_coloured((320, 240), COLOURS[1]), folder)
    assert first.parent == folder and first.suffix == ".png" and first.name.startswith("signet-arcade-")
    assert second != first   # same second: a new name, not an overwrite
    image = pygame.image.load(str(first))
    assert image.get_size() == (320, 240)
    assert image.get_at((5, 5))[:3] == COLOURS[0]


def test_screenshot_to_a_file_path(tmp_path):
    path = save_screenshot(_coloured((100, 60), COLOURS[2]), tmp_path / "sub" / "last.png")
    assert path == tmp_path / "sub" / "last.png"
    assert pygame.image.load(str(path)).get_size() == (100, 60)


def test_screenshot_that_cannot_be_written_returns_none(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert save_screenshot(_coloured((50, 50), COLOURS[0]), blocker / "shot.png") is None
    assert "could not save the screenshot" in caplog.text


def test_frames_from_any_surface_format_have_the_same_pixel_bytes():
    from signet_arcade.media.frames import frame_bytes

    reference = None
    for depth, flags in ((32, 0), (24, 0), (16, 0), (32, pygame.SRCALPHA)):
        surface = pygame.Surface((64, 48), flags, depth)
        surface.fill((0, 0, 0))
        surface.fill((248, 64, 16), pygame.Rect(8, 8, 20, 10))   # exact in 16-bit RGB565 too
        pixels = np.frombuffer(frame_bytes(surface), np.uint8).reshape(48, 64, 4)[..., :3]   # B, G, R
        if reference is None:
            reference = pixels
            assert tuple(pixels[10, 10]) == (16, 64, 248) and tuple(pixels[0, 0]) == (0, 0, 0)
        assert np.array_equal(pixels, reference), f"{depth}-bit flags={flags}"


# --- the video extra missing -------------------------------------------------------------------
def test_missing_video_extra_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)   # import now raises ImportError
    with pytest.raises(RecordingUnavailable, match=r"pip install '\.\[video\]'"):
        Recorder((320, 240), 30, tmp_path / "x.mp4")

    live = LiveRecording(tmp_path / "rec", tmp_path / "shots")
    live.toggle((320, 240))
    assert not live.recording and live.notice_is_warning and INSTALL_HINT in live.notice

    assert render_video(object(), 10, 30, tmp_path / "x.mp4") == 2
    assert "pip install '.[video]'" in capsys.readouterr().err


# --- the recorder ------------------------------------------------------------------------------
@needs_ffmpeg
def test_recording_a_short_clip_gives_a_playable_mp4(tmp_path):
    out = tmp_path / "clip.mp4"
    with Recorder((320, 240), 30, out) as rec:
        for i in range(12):
            assert rec.add_frame(_coloured((320, 240), COLOURS[i % 4]))
    result = rec.stop()
    assert (result.path, result.frames_written, result.frames_dropped, result.error) == (out, 12, 0, None)
    assert not rec.active

    meta, frames = _decode(out)
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (320, 240) and len(frames) == 12
    for i, frame in enumerate(frames):
        assert np.abs(_mean_rgb(frame) - COLOURS[i % 4]).max() < 12, f"frame {i}"


@needs_ffmpeg
def test_odd_window_sizes_are_cropped_to_even_and_repeats_fill_time(tmp_path):
    out = tmp_path / "odd.mp4"
    with Recorder((321, 241), 30, out) as rec:
        rec.add_frame(_coloured((321, 241), COLOURS[0]), repeat=3)
        rec.add_frame(_coloured((321, 241), COLOURS[1]))
    assert rec.stop().frames_written == 4
    meta, frames = _decode(out)
    assert meta["size"] == (320, 240)
    assert [int(np.argmax(_mean_rgb(f))) for f in frames] == [0, 0, 0, 1]


@needs_ffmpeg
def test_a_stalled_encoder_makes_the_recorder_drop_frames_not_wait(tmp_path):
    size = (320, 240)
    two_slots = 2 * size[0] * size[1] * encoder_module.BYTES_PER_PIXEL
    rec = Recorder(size, 30, tmp_path / "stalled.mp4", buffer_bytes=two_slots)
    rec.start()
    os.kill(rec.encoder_pid, signal.SIGSTOP)   # the consumer we control: frozen
    try:
        accepted = []
        feeder = threading.Thread(target=lambda: accepted.extend(
            rec.add_frame(_coloured(size, COLOURS[i % 4])) for i in range(8)))
        feeder.start()
        feeder.join(timeout=20)
        assert not feeder.is_alive(), "add_frame blocked on a stalled encoder"
    finally:
        os.kill(rec.encoder_pid, signal.SIGCONT)
    assert accepted == [True, True] + [False] * 6
    result = rec.stop()
    assert (result.frames_written, result.frames_dropped, result.error) == (2, 6, None)
    assert rec._process.exitcode == 0   # ended by itself, and reaped: no zombie


@needs_ffmpeg
def test_an_app_that_exits_while_recording_leaves_a_playable_file_and_no_process(tmp_path):
    out = tmp_path / "unfinished.mp4"
    script = textwrap.dedent(f"""
        import pygame
        from signet_arcade.media.recorder import Recorder
        if __name__ == "__main__":
            surface = pygame.Surface((320, 240))
            rec = Recorder((320, 240), 30, {str(out)!r})
            rec.start()
            print(rec.encoder_pid, flush=True)
            for colour in [(200, 0, 0)] * 5:
                surface.fill(colour)
                rec.add_frame(surface)
            # no stop(): the app just ends
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYGAME_HIDE_SUPPORT_PROMPT": "1"})
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout.split()[0])
    assert not Path(f"/proc/{pid}").exists(), "the encoder process outlived the app"
    assert len(_decode(out)[1]) == 5


@needs_ffmpeg
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full to simulate a full disk")
def test_a_video_that_cannot_be_written_ends_with_words_not_a_crash():
    rec = Recorder((320, 240), 30, "/dev/full")
    rec.start()
    assert rec.add_frame(_coloured((320, 240), COLOURS[0]))   # bigger than a pipe: ffmpeg must take it
    result = rec.stop()
    assert "disk full" in result.error and not rec.active


# --- live recording inside the app -----------------------------------------------------------
class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _key(key):
    return pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0)


@needs_ffmpeg
def test_live_recording_keeps_real_time_and_never_records_the_badge(tmp_path):
    clock = FakeClock()
    live = LiveRecording(tmp_path / "rec", tmp_path / "shots", fps=30, clock=clock)
    screen = _coloured((320, 240), theme.BACKGROUND)
    assert live.handle_event(_key(RECORD_KEY))
    assert not live.handle_event(_key(pygame.K_a))
    for i in range(6):                       # 60 fps app: a video frame every other capture
        screen.fill(COLOURS[0] if i < 4 else COLOURS[1])
        live.capture(screen)
        live.draw_overlay(screen, t=i / 60)
        clock.now += 1 / 60
    assert live.recording
    clock.now += 0.1                         # a stalled frame: the video repeats it
    screen.fill(COLOURS[2])
    live.capture(screen)
    live.draw_overlay(screen, t=0.2)
    live.handle_event(_key(RECORD_KEY))
    live.capture(screen)
    result = live.close()

    assert not live.recording and result.error is None
    meta, frames = _decode(result.path)
    # captures at t = 0, 1/30, 2/30 (every other 60 fps frame), then 0.2 s -> frames 3..6
    assert len(frames) == 7
    assert [int(np.argmax(_mean_rgb(f))) for f in frames] == [0, 0, 1, 2, 2, 2, 2]
    corner = frames[-1][:30, -90:]           # where the red REC badge was drawn
    assert np.abs(corner.reshape(-1, 3).mean(axis=0) - COLOURS[2]).max() < 12
    assert "Saved" in live.notice


@needs_ffmpeg
def test_an_encoder_that_dies_ends_the_recording_with_a_warning(tmp_path):
    clock = FakeClock()
    live = LiveRecording(tmp_path / "rec", tmp_path / "shots", clock=clock)
    screen = _coloured((320, 240), COLOURS[0])
    live.toggle(screen.get_size())
    live.capture(screen)
    process = live._recorder._process
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    clock.now += 1 / 30
    live.capture(screen)                        # notices, stops, and keeps the app going
    assert not live.recording
    result = live.close()
    assert result.error and live.notice_is_warning and "failed" in live.notice


def test_screenshot_key_saves_the_frame_without_the_overlay(tmp_path):
    live = LiveRecording(tmp_path / "rec", tmp_path / "shots", allowed=False)
    screen = _coloured((320, 240), COLOURS[3])
    live.handle_event(_key(RECORD_KEY))        # not allowed here: a notice, no recording
    live.capture(screen)
    assert not live.recording and "turned off" in live.notice
    assert live.handle_event(_key(SCREENSHOT_KEY))
    live.capture(screen)
    assert "Screenshot saved" in live.notice
    live.draw_overlay(screen, t=0.0)
    (shot,) = (tmp_path / "shots").iterdir()
    saved = pygame.image.load(str(shot))
    assert {saved.get_at((x, y))[:3] for x in range(0, 320, 7) for y in range(0, 240, 7)} == {COLOURS[3]}
    assert screen.get_at((319 - 20, 20))[:3] != COLOURS[3]   # the notice card is on screen


def test_recording_dot_is_red_and_in_the_top_right_corner():
    screen = _coloured((640, 360), theme.PANEL)
    badge = draw_recording_dot(screen, t=0.3)
    assert badge.right <= 640 and badge.top >= 0 and badge.left > 640 // 2 and badge.bottom < 360 // 4
    pixels = pygame.surfarray.array3d(screen)     # (w, h, 3)
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 90) & (pixels[..., 2] < 90)
    xs, ys = np.nonzero(red)
    assert len(xs) > 20 and badge.left <= xs.min() and xs.max() < badge.right and ys.max() < badge.bottom


# --- the offline renderer --------------------------------------------------------------------
def test_frame_plan_runs_exactly_the_steps_then_holds():
    assert frame_plan(25, fps=10, steps_per_frame=10, hold_seconds=0.3) == [10, 10, 5, 0, 0, 0]
    derived = frame_plan(6000, fps=30, hold_seconds=0)
    assert sum(derived) == 6000 and len(set(derived)) == 1 and len(derived) == 600   # ~20 s of video


def test_progress_bar_redraws_one_line_and_ends_it():
    stream = io.StringIO()
    bar = ProgressBar(4, stream=stream, width=8, clock=iter(range(0, 100, 1)).__next__)
    for n in range(1, 5):
        bar.update(n, f"step {n}")
    bar.finish()
    text = stream.getvalue()
    assert text.count("\r") == 4 and text.endswith("\n") and "\n" not in text[:-1]
    assert "[########] 100%" in text


@needs_ffmpeg
def test_render_twice_with_one_seed_gives_identical_frames(tmp_path):
    from signet_arcade.settings import Settings

    settings = Settings(width=320, height=240, seed=3, headless=True)
    runs = []
    for name in ("a", "b"):
        frames = []
        code = render_video(settings, steps=4, fps=10, out=tmp_path / f"{name}.mp4", steps_per_frame=2,
                            hold_seconds=0.4, on_frame=frames.append)
        assert code == 0
        runs.append(frames)
    assert len(runs[0]) == 6 and runs[0] == runs[1]
    assert len(set(runs[0])) > 1                   # training changed what is on screen
    other_seed = []
    render_video(dataclasses.replace(settings, seed=4), steps=2, fps=10, out=tmp_path / "c.mp4",
                 steps_per_frame=2, hold_seconds=0, on_frame=other_seed.append)
    assert other_seed[0] != runs[0][0]             # the frames do show the seeded model
    meta, decoded = _decode(tmp_path / "a.mp4")
    assert meta["size"] == (320, 240) and len(decoded) == 6


@needs_ffmpeg
def test_live_recording_wired_into_the_real_app_records_its_frames(tmp_path):
    from signet_arcade.app import App
    from signet_arcade.settings import Settings

    app = App(Settings(width=320, height=240, seed=1, headless=True, autotrain=True,
                       recordings_dir=str(tmp_path / "rec"), screenshots_dir=str(tmp_path / "shots")))
    clock = FakeClock()
    live = LiveRecording.from_settings(app.settings, clock=clock)
    live.toggle(app.screen.get_size())
    shown = []
    for _ in range(4):                        # the three lines the app's loop runs each frame
        app.tick(1 / 30, exact_steps=1)
        live.capture(app.screen)
        shown.append(pygame.surfarray.array3d(app.screen).swapaxes(0, 1).copy())   # (h, w, 3)
        live.draw_overlay(app.screen, app.time)
        clock.now += 1 / 30
    result = live.close()
    assert live.fps == 30 and result.error is None and result.frames_written == 4
    meta, frames = _decode(result.path)
    assert meta["size"] == (320, 240) and len(frames) == 4
    for video, screen in zip(frames, shown):
        assert np.abs(video.astype(int) - screen).mean() < 6   # the dashboard, not a blank frame
