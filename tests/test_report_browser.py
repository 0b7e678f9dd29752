"""The example assurance report, rendered by headless Chromium: screenshot and page structure.

Chromium is Debian's ``chromium`` package (``/usr/bin/chromium``), which
``.ci/run`` installs. Without it the test skips on a developer's machine, and
fails when ``CI`` is set.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from tests.test_report import heading_owner, parse_html

import sgassure
from sgassure.report.assurance import build_report, write_report

AS_OF = dt.date(2025, 9, 30)
WINDOW = (1400, 3000)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def _find_chromium() -> str | None:
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else shutil.which("chromium")


def _chromium() -> str:
    path = _find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


def _run(chromium: str, profile: Path, *args: str) -> bytes:
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        check=False,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout


@pytest.mark.slow
def test_headless_chromium_renders_the_example_report(example_ws: sgassure.Workspace, tmp_path: Path) -> None:
    """Chromium renders the report: one heatmap per cycle, a label in every cell, escalations under their body."""
    chromium = _chromium()
    report = build_report(example_ws, as_of=AS_OF)
    page, _ = write_report(report, tmp_path / "report")
    url = page.resolve().as_uri()

    shot = tmp_path / "report.png"
    _run(chromium, tmp_path / "profile", f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={shot}", url)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == WINDOW
    assert len(data) > 100_000  # a blank page compresses to a few kilobytes

    dom = parse_html(_run(chromium, tmp_path / "profile", "--dump-dom", url).decode("utf-8"))
    assert [n.content() for n in dom.find("h1")] == ["Assurance report: Wendmoor and Castleby Safeguarding Partnership"]

    sections = dom.find("section", "heatmap-section")
    assert [(s.attrs["data-framework"], s.attrs["data-cycle"]) for s in sections] == [
        (h.framework, h.cycle) for h in report.heatmaps
    ]
    assert len(sections) == 4
    for section, heatmap in zip(sections, report.heatmaps, strict=True):
        tables = section.find("table", "heatmap")
        assert len(tables) == 1
        cells = tables[0].find("td")
        assert len(cells) == len(heatmap.rows) * len(heatmap.standards)
        assert all(cell.content() for cell in cells)

    articles = {a.attrs["data-finding"]: a for a in dom.find("article", "escalation")}
    assert len(articles) == len(report.audit.escalations) > 0
    for escalation in report.audit.escalations:
        assert heading_owner(dom, articles[escalation.finding], "h3") == escalation.body_name

    svg = dom.find("svg", "partnership")
    assert len(svg) == 1
    assert {g.attrs["data-node"] for g in svg[0].find("g", "gap")} == {g.node for g in report.picture.gaps}


def test_missing_chromium_skips_locally_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without chromium the browser test skips, unless CI is set, when it fails."""
    monkeypatch.setattr(f"{__name__}._find_chromium", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"):
        _chromium()
