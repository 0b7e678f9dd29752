"""MkDocs hook: the changelog page is ``CHANGELOG.md`` from the repository root, included whole at build time."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

PAGE = "changelog.md"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add ``CHANGELOG.md`` (next to ``mkdocs.yml``) to the site as ``changelog.md``."""
    source = Path(config.config_file_path).parent / "CHANGELOG.md"
    files.append(File.generated(config, PAGE, abs_src_path=str(source)))
    return files
