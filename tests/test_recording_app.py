"""Recording and screenshots through the real App: keys posted to pygame's queue, the record
button clicked, the recording clock faked so a clip's frame count is exact."""
import importlib.util
from pathlib import Path

import numpy as np
import pygame
import pytest

from signet_arcade.media.live import RECORD_KEY, SCREENSHOT_KEY
from test_kiosk_app import FakeClock, _close, click, frames, make_app

needs_ffmpeg = pytest.mark.skipif(importlib.util.find_spec("imageio_ffmpeg") is None,
                                  reason="the video extra is not installed: pip install .[video]")
FRAME_S = 1 / 30            # the recording's frame rate (live video is capped at 30 fps)


def press(key):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0))


def decode(path: Path) -> tuple[tuple[int, int], list[np.ndarray]]:
    import imageio_ffmpeg
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return (w, h), [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]


@pytest.fixture
def clock():
    return FakeClock()


@needs_ffmpeg
def test_f9_records_a_clip_of_the_app_and_the_button_follows(tmp_path, clock):
    app = make_app(tmp_path, clock)
    try:
        assert app.controls.record_button.text == "Record video"
        press(RECORD_KEY)
        frames(app, 1)                                  # starts, and records its first frame
        assert app.media.recording
        frames(app, 4, clock, seconds=FRAME_S)          # 4 more frames, one per 1/30 s
        assert app.controls.record_button.text == "Stop recording"
        press(RECORD_KEY)
        frames(app, 1)
        assert not app.media.recording
        frames(app, 1)
        assert app.controls.record_button.text == "Record video"
        result = app.media.close()
        assert result.error is None and result.frames_written == 5
        size, video = decode(result.path)
        assert result.path.parent == tmp_path / "rec" and size == (800, 480) and len(video) == 5
        assert video[-1].std() > 10, "the dashboard, not a blank frame"
    finally:
        _close(app, tmp_path)


@needs_ffmpeg
def test_the_record_button_starts_and_stops_recording(tmp_path, clock):
    app = make_app(tmp_path, clock)
    try:
        click(app.controls.record_button.rect.center)
        frames(app, 2, clock, seconds=FRAME_S)
        assert app.media.recording
        click(app.controls.record_button.rect.center)
        frames(app, 2, clock, seconds=FRAME_S)
        assert not app.media.recording
        assert app.media.close().path.is_file()
    finally:
        _close(app, tmp_path)


def test_when_recording_is_not_allowed_there_is_no_button_and_f9_says_so(tmp_path, clock):
    app = make_app(tmp_path, clock, recording_allowed=False)
    try:
        assert app.controls.record_button is None
        assert not any("record" in str(e.most_specific_combined_id) for e in app.manager.get_root_container())
        press(RECORD_KEY)
        frames(app, 1)
        assert not app.media.recording and "Recording is turned off" in app.media.notice
        press(SCREENSHOT_KEY)                           # outside a kiosk, screenshots still work
        frames(app, 1)
        assert len(list((tmp_path / "shots").glob("*.png"))) == 1
    finally:
        _close(app, tmp_path)


def test_a_kiosk_that_forbids_recording_takes_no_screenshots_either(tmp_path, clock):
    app = make_app(tmp_path, clock, kiosk=True, recording_allowed=False)
    try:
        press(SCREENSHOT_KEY)
        press(RECORD_KEY)
        frames(app, 2)
        assert not (tmp_path / "shots").exists() and not app.media.recording
    finally:
        _close(app, tmp_path)
