"""The type check, the linter and the strict documentation build pass."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sgassure

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


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site, built once with --strict: no broken reference, no warning."""
    folder = tmp_path_factory.mktemp("site") / "site"
    _check(_tool("mkdocs"), "build", "--strict", "--site-dir", str(folder))
    return folder


@pytest.mark.slow
def test_docs_build_strictly(site: Path) -> None:
    """mkdocs builds the site with --strict: no broken reference, no warning."""
    assert (site / "index.html").is_file()


def _ids(page: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(sgassure.__all__))
def test_every_public_name_has_its_own_entry_in_the_api_reference(site: Path, name: str) -> None:
    """Each public name is documented on the API page of the module that defines it, under its own anchor."""
    module = getattr(sgassure, name).__module__
    page = site / "api" / module.removeprefix("sgassure.") / "index.html"
    assert f"{module}.{name}" in _ids(page), f"{name}: no entry on {page.relative_to(site)}"


@pytest.mark.slow
def test_catalog_pages_are_generated_from_the_bundled_catalogs(site: Path) -> None:
    """Each bundled catalog version has a page holding every requirement's text, and the index links them all."""
    index = (site / "catalogs" / "index.html").read_text(encoding="utf-8")
    for framework in sgassure.bundled_frameworks():
        slug = f"{framework.id}-{framework.version}"
        assert f'href="{slug}/"' in index
        page = (site / "catalogs" / slug / "index.html").read_text(encoding="utf-8")
        assert f"The threshold is <code>{framework.scale.threshold}</code>" in page
        for _, requirement in framework.requirements():
            assert f"<code>{requirement.id}</code>" in page
            assert html.escape(requirement.text, quote=False) in page
        for question in framework.survey_questions:
            assert html.escape(question.text, quote=False) in page


@pytest.mark.slow
def test_example_partnership_page_draws_sgassures_own_mermaid(site: Path) -> None:
    """The example partnership page holds the Mermaid export of its structure and every gap analyse_gaps finds."""
    page = (site / "example-partnership" / "index.html").read_text(encoding="utf-8")
    diagram = re.search(r'<pre class="mermaid"><code>(.*?)</code></pre>', page, re.DOTALL)
    assert diagram is not None
    assert html.unescape(diagram.group(1)).startswith("flowchart ")
    ws = sgassure.load_workspace(sgassure.example_workspace_path())
    for gap in sgassure.analyse_gaps(ws, as_of=dt.date(2025, 9, 30)).gaps:
        assert html.escape(gap.message, quote=False) in page


@pytest.mark.slow
def test_changelog_page_is_the_changelog(site: Path) -> None:
    """The site's changelog page is CHANGELOG.md, included whole at build time: every heading is on it."""
    page = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert len(headings) > 5
    for heading in headings:
        assert f">{html.escape(heading, quote=False)}<" in page
