"""The recorder's child process: takes filled frame slots from the ring and encodes them.

The main process copies a frame into a free slot of a shared ring buffer and puts
(slot, repeat) on `filled`; this process encodes the slot and hands it back on `free`.
None on `filled` means "finish the file and exit". Runs without pygame.
"""
from __future__ import annotations

import multiprocessing
import queue
import signal
from multiprocessing.shared_memory import SharedMemory

from signet_arcade.media.encoder import VideoEncoder, frame_nbytes

# How often to look whether the app is still there while no frame comes.
_PARENT_CHECK_S = 0.5


def encode_frames(ring_name, filled, free, result, size, fps, path, preset, threads) -> None:
    """Process target. Sends ("ok", frames) or ("error", message, frames) on `result` before exiting."""
    # Ctrl+C in a terminal reaches the whole process group; the app decides when recording ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    nbytes = frame_nbytes(size)
    parent = multiprocessing.parent_process()
    ring = SharedMemory(name=ring_name)
    encoder = None
    try:
        encoder = VideoEncoder(size, fps, path, preset=preset, threads=threads)
        while True:
            try:
                item = filled.get(timeout=_PARENT_CHECK_S)
            except queue.Empty:
                if parent is not None and not parent.is_alive():
                    break   # the app died without stopping us: still leave a playable file
                continue
            if item is None:
                break
            slot, repeat = item
            encoder.write(ring.buf[slot * nbytes:(slot + 1) * nbytes], repeat)
            free.put(slot)
        _report(result, ("ok", encoder.close()))
    except Exception as exc:  # any failure (disk full, ffmpeg gone) must reach the app as words
        written = encoder.frames_written if encoder is not None else 0
        words = (str(exc) or type(exc).__name__).splitlines()[0]
        _report(result, ("error", words, written))
    finally:
        ring.close()   # the app unlinks it


def _report(result, message) -> None:
    try:
        result.send(message)
    except OSError:
        pass   # the app is gone; nobody is left to tell
