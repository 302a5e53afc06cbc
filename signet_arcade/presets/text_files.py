"""Reading text a visitor drops or a curator adds: any encoding, never a crash, clear refusals."""
from __future__ import annotations

import codecs
import stat
from pathlib import Path

MAX_TEXT_BYTES = 4_000_000
"""A few MB is far more text than the model needs; anything bigger is probably not meant for it."""

_SNIFF_BYTES = 8192


class TextFileError(ValueError):
    """A file that cannot become training text; the message is a sentence for a visitor."""


def read_text_file(path: str | Path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The file's text with newlines as "\\n", or TextFileError saying why not."""
    if "\x00" in str(path):                      # no file is named that; the OS would refuse it
        raise TextFileError("That is not the name of a file.")
    path = Path(path)
    try:
        if path.is_dir():
            raise TextFileError(f"'{path.name}' is a folder, not a text file.")
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):      # a pipe or a device would be read forever
            raise TextFileError(f"'{path.name}' is not a text file.")
        if info.st_size > max_bytes:
            raise TextFileError(f"That file is too big ({_megabytes(info.st_size)}); "
                                f"the limit is {_megabytes(max_bytes)}.")
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)        # the file may have grown since stat()
        if len(data) > max_bytes:
            raise TextFileError(f"That file is too big; the limit is {_megabytes(max_bytes)}.")
    except FileNotFoundError:
        raise TextFileError(f"Could not find the file '{path}'.") from None
    except PermissionError:
        raise TextFileError(f"Not allowed to read the file '{path.name}'.") from None
    except OSError as e:
        raise TextFileError(f"Could not read the file '{path.name}' ({e.strerror or e}).") from None
    text = decode_text(data)
    if not text.strip():
        raise TextFileError("That file is empty: there is nothing to learn from.")
    return text


def decode_text(data: bytes) -> str:
    """Bytes of unknown encoding -> text, or TextFileError if they are not text at all."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _newlines(data.decode(encoding, errors="replace"))
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise TextFileError("That file does not look like text.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Most non-UTF-8 text files in the wild are Windows/Latin-1 single-byte texts.
        text = data.decode("cp1252", errors="replace")
    if _control_fraction(text[:_SNIFF_BYTES]) > 0.05:
        raise TextFileError("That file does not look like text.")
    return _newlines(text)


def _control_fraction(text: str) -> float:
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    return controls / max(1, len(text))


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
