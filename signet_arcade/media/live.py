"""Recording and screenshots from inside the running app: keys, timing, the badge and notices.

The app wires it in three places:
    live = LiveRecording.from_settings(settings)          # once
    if live.handle_event(event): continue                 # F9 record on/off, F12 screenshot
    live.capture(screen); live.draw_overlay(screen, t)    # after drawing a frame, before flip
"""
from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from pathlib import Path

import pygame

from signet_arcade import fonts
from signet_arcade.media.encoder import RecordingUnavailable
from signet_arcade.media.filenames import timestamped_path
from signet_arcade.media.recorder import Recorder, RecordingResult
from signet_arcade.media.recording_dot import badge_margin, draw_recording_dot
from signet_arcade.media.screenshot import save_screenshot
from signet_arcade.scenes import theme

log = logging.getLogger(__name__)

RECORD_KEY = pygame.K_F9
SCREENSHOT_KEY = pygame.K_F12
# Live video above 30 fps doubles the encoder's work for no visible gain.
MAX_LIVE_FPS = 30
NOTICE_SECONDS = 5.0
# After a stall, repeat the last frame for at most this long so the video keeps real time.
MAX_REPEAT_S = 1.0


class LiveRecording:
    def __init__(self, recordings_dir: str | Path = "recordings", screenshots_dir: str | Path = "screenshots",
                 allowed: bool = True, fps: float = MAX_LIVE_FPS, clock=time.monotonic):
        self.recordings_dir = Path(recordings_dir)
        self.screenshots_dir = Path(screenshots_dir)
        self.allowed = allowed
        self.fps = min(fps, MAX_LIVE_FPS)
        self.notice = ""                 # the latest words for the visitor ("Saved ...")
        self.notice_is_warning = False
        self.last_result: RecordingResult | None = None
        self._clock = clock
        self._notice_time = -1e9
        self._recorder: Recorder | None = None
        self._started_at = 0.0
        self._frames_sent = 0            # video frames queued so far, repeats included
        self._toggle_requested = False
        self._screenshot_requested = False
        self._finishing: list[threading.Thread] = []

    @classmethod
    def from_settings(cls, settings, clock=time.monotonic) -> "LiveRecording":
        return cls(settings.recordings_dir, settings.screenshots_dir, allowed=settings.recording_allowed,
                   fps=settings.fps, clock=clock)

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    @property
    def button_label(self) -> str:
        return "Stop recording" if self.recording else "Record video"

    # --- input ---------------------------------------------------------------------------------
    def handle_event(self, event: pygame.event.Event) -> bool:
        """F9 starts/stops recording, F12 takes a screenshot, both at the next capture(); True if used."""
        if event.type != pygame.KEYDOWN:
            return False
        if event.key == RECORD_KEY:
            self._toggle_requested = True
            return True
        if event.key == SCREENSHOT_KEY:
            self._screenshot_requested = True
            return True
        return False

    def request_screenshot(self) -> None:
        self._screenshot_requested = True

    def toggle(self, surface_size: tuple[int, int], fps: float | None = None) -> None:
        """Start recording a window of `surface_size`, or stop and save the running recording."""
        if self._recorder is not None:
            self._finish("Saved")
            return
        if not self.allowed:
            self._say("Recording is turned off on this installation.", warning=True)
            return
        fps = min(fps or self.fps, MAX_LIVE_FPS)
        try:
            recorder = Recorder(surface_size, fps, timestamped_path(self.recordings_dir, ".mp4"))
            recorder.start()
        except RecordingUnavailable as exc:
            self._say(str(exc), warning=True)
            return
        except (OSError, ValueError) as exc:
            log.error("recording could not start: %s", exc)
            self._say(f"Recording could not start: {exc}", warning=True)
            return
        self._recorder = recorder
        self._started_at = self._clock()
        self._frames_sent = 0
        self._say("Recording the window. Press F9 again to stop.")

    # --- each frame ----------------------------------------------------------------------------
    def capture(self, surface: pygame.Surface) -> None:
        """Call after the frame is drawn and before draw_overlay(): records it when a video frame is due."""
        if self._toggle_requested:
            self._toggle_requested = False
            self.toggle(surface.get_size())
        if self._screenshot_requested:
            self._screenshot_requested = False
            self._take_screenshot(surface)
        recorder = self._recorder
        if recorder is None:
            return
        if not recorder.active:
            self._finish("Recording stopped")
            return
        if surface.get_size() != recorder.size:
            self._finish("The window changed size, so recording stopped. Saved")
            return
        # Video frames due by now at the recording's fps; the first capture is frame 1. The epsilon
        # keeps 2/60 s * 30 fps from flooring to 0.999... frames.
        due = int((self._clock() - self._started_at) * recorder.fps + 1e-6) + 1
        missing = due - self._frames_sent
        if missing <= 0:
            return
        repeat = min(missing, max(1, int(MAX_REPEAT_S * recorder.fps)))
        if recorder.add_frame(surface, repeat):
            self._frames_sent = due   # a long stall is shortened to MAX_REPEAT_S, not owed forever

    def draw_overlay(self, surface: pygame.Surface, t: float) -> None:
        """The REC badge while recording and the latest notice for a few seconds."""
        top = badge_margin(surface)
        if self._recorder is not None:
            top = draw_recording_dot(surface, t).bottom + badge_margin(surface) // 2
        age = self._clock() - self._notice_time
        if self.notice and age < NOTICE_SECONDS:
            fade = min(1.0, (NOTICE_SECONDS - age) / 0.6)
            _draw_notice(surface, self.notice, self.notice_is_warning, top, int(255 * fade))

    def close(self) -> RecordingResult | None:
        """Stop any recording and wait until every file is finished (call when the app quits)."""
        if self._recorder is not None:
            self._finish("Saved")
        for thread in self._finishing:
            thread.join()
        self._finishing.clear()
        return self.last_result

    # --- inside ----------------------------------------------------------------------------------
    def _finish(self, verb: str) -> None:
        """Stop the recorder in a worker thread: waiting for the encoder must not freeze the UI."""
        recorder, self._recorder = self._recorder, None
        self._say("Saving the recording...")

        def stop_and_report() -> None:
            result = recorder.stop()
            self.last_result = result
            if result.error:
                self._say(f"The recording failed: {result.error}", warning=True)
            else:
                seconds = result.frames_written / recorder.fps
                dropped = f", {result.frames_dropped} frames skipped" if result.frames_dropped else ""
                self._say(f"{verb} {_shown(result.path)} ({seconds:.1f} s{dropped}).")

        # Not a daemon: the interpreter waits for it at exit, so the file is always finished.
        thread = threading.Thread(target=stop_and_report, name="signet-arcade-finish-recording")
        self._finishing = [t for t in self._finishing if t.is_alive()] + [thread]
        thread.start()

    def _take_screenshot(self, surface: pygame.Surface) -> None:
        path = save_screenshot(surface, self.screenshots_dir)
        if path is None:
            self._say("The screenshot could not be saved (see the log).", warning=True)
        else:
            self._say(f"Screenshot saved: {_shown(path)}")

    def _say(self, text: str, warning: bool = False) -> None:
        self.notice, self.notice_is_warning = text, warning
        self._notice_time = self._clock()


def _shown(path: Path) -> str:
    """The path as a visitor should read it: relative to where the app was started, if inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=4)
def _notice_card(text: str, warning: bool, surface_size: tuple[int, int]) -> pygame.Surface:
    """The notice as a small dark card, its words wrapped to under half the window's width."""
    font = fonts.get("text", max(12, surface_size[1] // 48))
    lines = _wrap(text, font, surface_size[0] * 45 // 100)
    labels = [font.render(line, True, theme.WARNING if warning else theme.TEXT) for line in lines]
    pad = max(6, font.get_height() // 3)
    card = pygame.Surface((max(l.get_width() for l in labels) + 2 * pad,
                           font.get_linesize() * len(labels) + pad), pygame.SRCALPHA)
    pygame.draw.rect(card, (*theme.BACKGROUND, 215), card.get_rect(), border_radius=pad)
    pygame.draw.rect(card, (*theme.PANEL_EDGE, 230), card.get_rect(), width=1, border_radius=pad)
    for i, label in enumerate(labels):
        card.blit(label, (pad, pad // 2 + i * font.get_linesize()))
    return card


def _wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and font.size(candidate)[0] > width:
            lines.append(word)
        else:
            lines[-1] = candidate
    return lines


def _draw_notice(surface: pygame.Surface, text: str, warning: bool, top: int, alpha: int) -> None:
    """The notice card in the top-right corner, below the badge, fading out at the end."""
    card = _notice_card(text, warning, surface.get_size())
    card.set_alpha(alpha)
    surface.blit(card, card.get_rect(topright=(surface.get_width() - badge_margin(surface), top)))
