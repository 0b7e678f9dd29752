"""Same inputs, same output, byte for byte, whatever the hash seed or file order."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import sgassure

ROOT = Path(__file__).resolve().parent.parent


def _copy(src: Path, dest: Path, *, reverse: bool) -> None:
    files = sorted(p for p in src.rglob("*") if p.is_file())
    for path in reversed(files) if reverse else files:
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _summary(workspace: Path, seed: str, fmt: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "sgassure", "check", str(workspace), "--format", fmt],
        env=env,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def test_summaries_are_byte_identical(tmp_path: Path) -> None:
    """Two processes with different hash seeds over copies written in opposite orders agree exactly."""
    example = sgassure.example_workspace_path()
    forward, backward = tmp_path / "forward", tmp_path / "backward"
    _copy(example, forward, reverse=False)
    _copy(example, backward, reverse=True)
    for fmt in ("json", "text"):
        first = _summary(forward, "1", fmt)
        second = _summary(backward, "4242", fmt)
        assert first == second
        assert len(first) > 1000
