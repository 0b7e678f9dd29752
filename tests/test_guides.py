"""Every guide works when followed verbatim in a fresh copy of the repository and a fresh virtual environment.

The conventions a guide follows are in ``tests/guides.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the tests import with --import-mode=importlib
from guides import GUIDES, NOT_RUN, ROOT, Block, blocks, follow

GUIDE_FILES = sorted(GUIDES.glob("*.md"))
INSTALL = re.compile(r"^python3\.1[12] -m venv \.venv && \.venv/bin/pip install ")


def test_blocks_are_read_by_the_conventions() -> None:
    """Shell steps, titled files, Python sessions, blocks not run (with their reason) and shown output."""
    markdown = (
        "# A guide\n\n```sh\necho hello\n```\n\n"
        '```yaml title="rules/local.yaml"\nversion: 1\n```\n\n'
        "```pycon\n>>> 1 + 1\n2\n```\n\n"
        f"{NOT_RUN} it needs a printer.\n\n```sh\nlpr report.pdf\n```\n\n"
        "```text\noutput\n```\n\n"
        "1. In a list:\n\n    ```sh\n    echo indented\n    ```\n"
    )
    assert list(blocks(markdown)) == [
        Block("sh", "echo hello\n", 3),
        Block("file", "version: 1\n", 7, path="rules/local.yaml"),
        Block("pycon", ">>> 1 + 1\n2\n", 11),
        Block("skip", "lpr report.pdf\n", 18, reason="it needs a printer."),
        Block("show", "output\n", 22),
        Block("sh", "echo indented\n", 28),
    ]


def test_there_is_a_guide_for_each_audience() -> None:
    """Developers, auditors, programme offices and business offices each have a guide."""
    assert {p.stem for p in GUIDE_FILES} >= {"developer", "auditor", "programme-office", "business-office"}


@pytest.mark.parametrize("guide", GUIDE_FILES, ids=lambda p: p.stem)
def test_each_guide_begins_by_installing_into_a_fresh_venv(guide: Path) -> None:
    """The first step of every guide creates ``.venv`` and installs sgassure into it, as the README does."""
    steps = [b for b in blocks(guide.read_text(encoding="utf-8")) if b.action in ("sh", "pycon", "file")]
    assert steps, f"{guide.name} has no step the tests can run"
    assert steps[0].action == "sh"
    assert INSTALL.match(steps[0].text), steps[0].text


def test_getting_started_gives_the_readmes_commands() -> None:
    """The getting-started page's commands are exactly the README's two set-up commands."""
    readme = [b.text for b in blocks((ROOT / "README.md").read_text(encoding="utf-8")) if b.action == "sh"]
    page = [b.text for b in blocks((ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8"))]
    assert readme[:2] == [t for t in page if INSTALL.match(t)][:2]


@pytest.mark.slow
@pytest.mark.parametrize("guide", GUIDE_FILES, ids=lambda p: p.stem)
def test_guide_works_when_followed_verbatim(guide: Path, tmp_path: Path) -> None:
    """Each shell step exits 0, each file is written, and each Python session prints what the guide shows."""
    log = follow(guide, tmp_path / "work")
    assert any(line.endswith("sh ok") for line in log)
