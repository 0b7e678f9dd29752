"""Atomic output: every file sgassure writes goes through a temporary file and a rename.

A reader never sees a half-written report, export or return; a failed write
leaves the previous file in place and no temporary file behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file in the target's folder, then rename it into place."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix or ".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text to ``path`` atomically, with the line endings as given."""
    write_atomically(path, lambda tmp: tmp.write_bytes(text.encode("utf-8")))


def write_output(text: str, out: str | os.PathLike[str] | None) -> None:
    """Write a command's output to standard output, or atomically to the file ``out``."""
    if out is None:
        sys.stdout.write(text)
    else:
        write_text_atomically(out, text)
