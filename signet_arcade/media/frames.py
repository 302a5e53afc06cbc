"""A pygame surface as a raw video frame (FRAME_PIXEL_FORMAT: B, G, R, X bytes per pixel)."""
from __future__ import annotations

import pygame

from signet_arcade.media.encoder import BYTES_PER_PIXEL

# Masks of a surface whose memory already is B, G, R, X bytes, row after row, with no padding.
_NATIVE_MASKS = (0xFF0000, 0x00FF00, 0x0000FF)


def _is_native(surface: pygame.Surface) -> bool:
    return (surface.get_bytesize() == BYTES_PER_PIXEL
            and tuple(surface.get_masks()[:3]) == _NATIVE_MASKS
            and surface.get_pitch() == surface.get_width() * BYTES_PER_PIXEL)


def copy_frame(surface: pygame.Surface, dest: memoryview) -> None:
    """Copy the surface's pixels into `dest` (exactly w*h*4 bytes): one memcpy when the layout allows."""
    if _is_native(surface):
        with memoryview(surface.get_buffer()) as pixels:   # the surface stays locked only this long
            dest[:] = pixels.cast("B")
    else:
        dest[:] = pygame.image.tobytes(surface, "BGRA")


def frame_bytes(surface: pygame.Surface) -> bytes:
    """The surface's pixels as a new bytes object in the video frame layout."""
    out = bytearray(surface.get_width() * surface.get_height() * BYTES_PER_PIXEL)
    copy_frame(surface, memoryview(out))
    return bytes(out)
