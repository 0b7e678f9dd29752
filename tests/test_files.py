"""Every file sgassure writes is written atomically, into a folder made if missing, readable as a new file is."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sgassure._files import write_text_atomically


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_has_the_usual_mode_and_its_missing_folders_are_made(tmp_path: Path) -> None:
    """A new file in a folder that does not exist yet is written with mode 0666 less the umask."""
    old = os.umask(0o022)
    try:
        target = tmp_path / "out" / "nested" / "audit.json"
        write_text_atomically(target, "{}\n")
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert _mode(target) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["audit.json"]


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    """Replacing a file keeps the mode its owner gave it."""
    target = tmp_path / "report.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_text_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert _mode(target) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    """When writing fails the previous file stays as it was and nothing else is left in the folder."""
    from sgassure._files import write_atomically

    target = tmp_path / "findings.csv"
    target.write_text("old\n", encoding="utf-8")

    def fail(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, fail)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]
