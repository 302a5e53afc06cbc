"""Live recording of the window to MP4, encoded in a separate process so the frame rate holds.

The main loop pays for one copy of the frame into a shared ring buffer and a tiny queue put.
When every slot of the ring is still waiting for the encoder, the frame is dropped (and counted)
rather than making the UI wait.

The encoder process is started with "spawn", which re-imports the program's main script: every
entry script must keep its work under `if __name__ == "__main__":` (run.py and the console
script do).
"""
from __future__ import annotations

import atexit
import logging
import multiprocessing
import queue
from multiprocessing.shared_memory import SharedMemory
from dataclasses import dataclass
from pathlib import Path

import pygame

from signet_arcade.media.encoder import frame_nbytes, require_ffmpeg
from signet_arcade.media.encoder_process import encode_frames
from signet_arcade.media.frames import copy_frame

log = logging.getLogger(__name__)

# "spawn": the encoder process starts clean instead of inheriting SDL's threads and the app's memory.
_CONTEXT = multiprocessing.get_context("spawn")
# Frames the ring can hold while the encoder catches up: about a second of 720p at 30 fps.
DEFAULT_BUFFER_BYTES = 96 * 1024 * 1024
_MAX_SLOTS = 32


@dataclass(frozen=True)
class RecordingResult:
    path: Path
    frames_written: int
    frames_dropped: int
    error: str | None = None      # words for the user when the encoder failed


class Recorder:
    """Records frames of one fixed size to `out_path` at `fps`.

    Use start() / add_frame(surface) / stop(), or `with Recorder(...) as rec:`. Raises
    RecordingUnavailable at construction when the video extra is not installed.
    """

    def __init__(self, size: tuple[int, int], fps: float, out_path: str | Path, *,
                 buffer_bytes: int = DEFAULT_BUFFER_BYTES, preset: str = "ultrafast", threads: int = 1):
        require_ffmpeg()
        self.size = (int(size[0]), int(size[1]))
        self.fps = fps
        self.path = Path(out_path)
        self.frames_dropped = 0
        self._nbytes = frame_nbytes(self.size)
        self._slot_count = max(2, min(_MAX_SLOTS, buffer_bytes // self._nbytes))
        self._encoder_options = (preset, threads)
        self._process = None
        self._result: RecordingResult | None = None

    @property
    def active(self) -> bool:
        """True while frames are being accepted (started, not stopped, encoder alive)."""
        return self._process is not None and self._result is None and self._process.is_alive()

    @property
    def encoder_pid(self) -> int | None:
        """Process id of the encoder (for monitoring and tests); None before start()."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        if self._process is not None:
            raise RuntimeError("a Recorder records once; make a new one for the next clip")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Shared memory is not zeroed up front (a 96 MB memset stalled the UI for ~160 ms): pages are
        # touched on first use, and the most recently returned slot is reused first, so a ring
        # that keeps up only ever touches a few slots.
        self._ring = SharedMemory(create=True, size=self._slot_count * self._nbytes)
        self._free = list(range(self._slot_count))   # slots the main process may fill; a stack
        self._filled = _CONTEXT.Queue()                             # (slot, repeat) for the encoder
        self._returned = _CONTEXT.Queue()                           # slots the encoder is done with
        self._result_in, result_out = _CONTEXT.Pipe(duplex=False)
        self._process = _CONTEXT.Process(
            target=encode_frames, name="signet-arcade-encoder", daemon=False,
            args=(self._ring.name, self._filled, self._returned, result_out, self.size, self.fps,
                  str(self.path), *self._encoder_options))
        self._process.start()
        result_out.close()
        atexit.register(self.stop)   # leave a playable file and no orphan even if the app just exits

    def add_frame(self, surface: pygame.Surface, repeat: int = 1) -> bool:
        """Queue the surface as the next `repeat` video frames; False if it was dropped.

        Never waits for the encoder. Capture before drawing anything that must not be recorded.
        """
        if not self.active:
            return False
        if surface.get_size() != self.size:
            raise ValueError(f"frame is {surface.get_size()}, the recording is {self.size}")
        self._collect_returned_slots()
        if not self._free:
            self.frames_dropped += 1
            return False
        slot = self._free.pop()
        copy_frame(surface, self._ring.buf[slot * self._nbytes:(slot + 1) * self._nbytes])
        self._filled.put((slot, max(1, int(repeat))))
        return True

    def stop(self, timeout: float = 30.0) -> RecordingResult:
        """Finish the file and end the encoder process; safe to call more than once."""
        if self._result is not None:
            return self._result
        if self._process is None:
            self._result = RecordingResult(self.path, 0, self.frames_dropped, "recording never started")
            return self._result
        atexit.unregister(self.stop)
        self._filled.put(None)
        self._process.join(timeout)
        if self._process.is_alive():
            log.warning("the encoder did not finish within %.0f s; stopping it", timeout)
            self._process.terminate()
            self._process.join(2.0)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        report = self._encoder_report()
        self._result = RecordingResult(self.path, report[-1], self.frames_dropped,
                                       None if report[0] == "ok" else report[1])
        self._release()
        if self._result.error:
            log.error("recording %s failed: %s", self.path, self._result.error)
        return self._result

    def _encoder_report(self) -> tuple:
        """("ok", frames) or ("error", message, frames) from the encoder process."""
        try:
            if self._result_in.poll():
                return self._result_in.recv()
        except (EOFError, OSError):
            pass   # it died before it could say anything (killed, out of memory)
        return ("error", f"the encoder process ended unexpectedly (exit code {self._process.exitcode})", 0)

    def _collect_returned_slots(self) -> None:
        try:
            while True:
                self._free.append(self._returned.get_nowait())
        except queue.Empty:
            pass

    def _release(self) -> None:
        for q in (self._filled, self._returned):
            q.cancel_join_thread()   # the encoder is gone: nothing left to deliver
            q.close()
        self._result_in.close()
        self._ring.close()
        self._ring.unlink()

    def __enter__(self) -> "Recorder":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
