"""H.264 encoding of raw frames through imageio-ffmpeg, shared by the live recorder and `render`.

No pygame here: this module also runs inside the recorder's encoder process, which should start
fast and never touch SDL. Frames arrive as raw bytes in FRAME_PIXEL_FORMAT (see frames.py).
"""
from __future__ import annotations

from pathlib import Path

# pygame's 32-bit surfaces keep pixels as B, G, R, X bytes in memory (little-endian 0x00RRGGBB):
# taking them as they are costs one memcpy, where converting to RGB costs a pass over every pixel.
FRAME_PIXEL_FORMAT = "bgr0"
BYTES_PER_PIXEL = 4

INSTALL_HINT = "Video recording needs the optional video extra: run  pip install '.[video]'  and start again."


class RecordingUnavailable(RuntimeError):
    """The optional imageio-ffmpeg package (or its bundled ffmpeg) is missing."""


def require_ffmpeg():
    """The imageio_ffmpeg module, with a usable ffmpeg binary; RecordingUnavailable otherwise."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise RecordingUnavailable(INSTALL_HINT) from exc
    try:
        imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise RecordingUnavailable(f"imageio-ffmpeg found no ffmpeg program ({exc}). {INSTALL_HINT}") from exc
    return imageio_ffmpeg


def even_size(size: tuple[int, int]) -> tuple[int, int]:
    """H.264 in yuv420p needs even width and height: drop the last column/row when odd."""
    w, h = size
    return w - w % 2, h - h % 2


def frame_nbytes(size: tuple[int, int]) -> int:
    return size[0] * size[1] * BYTES_PER_PIXEL


class VideoEncoder:
    """Writes raw frames of `size` to an MP4 file (H.264, yuv420p) at `fps`.

    `preset` is x264's speed/size trade. Live recording uses "ultrafast" (measured at 1280x720:
    ~7 ms of CPU per frame against ~12-17 ms for "veryfast", for files about twice as big), so it
    fits beside training on a 2-core machine; the offline render uses "medium" for small files.
    `threads` caps the encoder's cores so a live recording leaves the other core to the app.
    """

    def __init__(self, size: tuple[int, int], fps: float, path: str | Path,
                 preset: str = "medium", threads: int = 0):
        imageio_ffmpeg = require_ffmpeg()
        if size[0] < 2 or size[1] < 2:
            raise ValueError(f"a video frame must be at least 2x2 pixels, not {size[0]}x{size[1]}")
        self.size = (int(size[0]), int(size[1]))
        self.video_size = even_size(self.size)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.frames_written = 0
        output = ["-preset", preset, "-threads", str(threads), "-movflags", "+faststart"]
        if self.video_size != self.size:
            output += ["-vf", "crop={}:{}:0:0".format(*self.video_size)]
        self._writer = imageio_ffmpeg.write_frames(
            str(self.path), self.size, pix_fmt_in=FRAME_PIXEL_FORMAT, pix_fmt_out="yuv420p",
            fps=fps, codec="libx264", quality=6, macro_block_size=1,
            ffmpeg_log_level="error", output_params=output)
        self._writer.send(None)   # start ffmpeg

    def write(self, frame, repeat: int = 1) -> None:
        """Append one raw frame (bytes-like, frame_nbytes(size) long), `repeat` times."""
        try:
            for _ in range(repeat):
                self._writer.send(frame)
        except OSError as exc:   # ffmpeg quit: it could not open or write the file
            raise OSError(_cannot_write(self.path)) from exc
        self.frames_written += repeat

    def close(self) -> int:
        """Finish the file (waits for ffmpeg); returns the number of frames written."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            if self.frames_written == 0:
                self.path.unlink(missing_ok=True)   # ffmpeg leaves an unplayable stub
                raise OSError(f"no frames were recorded, so {self.path} was not kept")
            # ffmpeg's exit status is not passed on, and it may take a frame or two before it fails
            # to open the file: judge by what is on disk.
            if not (self.path.is_file() and self.path.stat().st_size > 0):
                raise OSError(_cannot_write(self.path))
        return self.frames_written

    def __enter__(self) -> "VideoEncoder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _cannot_write(path: Path) -> str:
    return f"ffmpeg could not write {path} (is the disk full, or the folder read-only?)"
