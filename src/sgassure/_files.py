"""Files in and out: located reading, and atomic writing.

Every input file is read as UTF-8 with problems reported as a located
:class:`~sgassure.errors.LoadError`. Every file sgassure writes goes through a
temporary file and a rename: a reader never sees a half-written report, export
or return; a failed write leaves the previous file in place and no temporary
file behind.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from sgassure.errors import LoadError, Location, Problem


def read_text(path: str | os.PathLike[str], source: str | None = None) -> tuple[str, str]:
    """The UTF-8 text of a file and the name problems should give it (``source``, else the path).

    Raises:
        LoadError: the file is missing, not UTF-8, or cannot be read.
    """
    name = source if source is not None else str(path)

    def fail(message: str) -> LoadError:
        return LoadError([Problem(location=Location(file=name), path="", message=message)])

    try:
        return Path(path).read_text(encoding="utf-8"), name
    except FileNotFoundError:
        raise fail("file not found") from None
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror}") from None


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, and put it back at once
    os.umask(mask)
    return mask


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file in the target's folder, then rename it into place.

    The folder is created if it is missing. The file gets the mode of the file it
    replaces, or a new file's usual mode (0666 less the umask), not the owner-only
    mode of a temporary file, so colleagues sharing a folder can read it.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix or ".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, mode)
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
