"""The type check, the linter and the strict documentation build pass."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; CI installs the lint and docs extras")
        pytest.skip(f"{name} is not installed (pip install -e '.[lint,docs]')")
    return path


def _check(*args: str) -> None:
    result = subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"


def test_mypy_strict_is_clean() -> None:
    """mypy --strict finds nothing in the package."""
    _check(_tool("mypy"))


def test_ruff_is_clean() -> None:
    """ruff finds nothing in the package or the tests."""
    _check(_tool("ruff"), "check", "src", "tests")


@pytest.mark.slow
def test_docs_build_strictly(tmp_path: Path) -> None:
    """mkdocs builds the site with --strict: no broken reference, no warning."""
    _check(_tool("mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site"))
