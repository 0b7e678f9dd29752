"""MkDocs hook: the standards catalogs pages, generated from the bundled catalogs at build time.

Every page is written from :func:`sgassure.bundled_frameworks` (the catalogs in
``src/sgassure/standards/*.yaml`` as sgassure reads them), never copied by hand:
``catalogs/index.md`` lists the catalogs, and ``catalogs/<id>-<version>.md`` gives
one catalog whole (scope, rating scale and threshold, supersedes map, standards
and requirements, requirements not relevant to some kinds of agency, themes and
practitioner-survey questions).

The nav section whose first entry is ``catalogs/index.md`` is completed with one
entry per catalog, so a new bundled catalog appears in the site without an edit
to ``mkdocs.yml``.
"""

from __future__ import annotations

import html
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

import sgassure
from sgassure import Framework

INDEX = "catalogs/index.md"


def page_uri(framework: Framework) -> str:
    """The generated page of one catalog version."""
    return f"catalogs/{framework.id}-{framework.version}.md"


def cell(text: str) -> str:
    """Text made safe for a Markdown table cell: HTML escaped, pipes and emphasis marks escaped, one line."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    for char in "\\`*_[]|":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def codes(values: Any) -> str:
    """Values as a comma-separated list of code spans, or a dash."""
    return ", ".join(f"`{v}`" for v in values) or "–"


def _scale(f: Framework) -> list[str]:
    threshold = f.scale.threshold
    compliant = [lv.id for lv in f.scale.levels if f.scale.is_compliant(lv.id)]
    below = [lv.id for lv in f.scale.levels if not f.scale.is_compliant(lv.id)]
    lines = [
        "## Rating scale",
        "",
        f"Best level first. The threshold is `{threshold}`: {codes(compliant)} count as compliant; "
        f"{codes(below)} are below threshold. Rules compare ratings with the threshold, never with a "
        "named level. A return in YAML gives the level id; a spreadsheet return may also give the label or an "
        "alias, in any case.",
        "",
        "| level id | label | aliases | compliance | description |",
        "|---|---|---|---|---|",
    ]
    for level in f.scale.levels:
        if level.id == threshold:
            status = "compliant (the threshold)"
        elif f.scale.is_compliant(level.id):
            status = "compliant"
        else:
            status = "below threshold"
        lines.append(
            f"| `{level.id}` | {cell(level.label)} | {codes(level.aliases)} | {status} | {cell(level.description)} |"
        )
    return lines


def _scope(f: Framework) -> list[str]:
    lines = [
        "## Who answers it",
        "",
        "The kinds of agency the catalog applies to, and on what basis. Agencies of a kind on a statutory "
        "basis are expected to return in every cycle of the catalog; others return when a cycle invites them.",
        "",
        "| basis | kinds of agency | citation |",
        "|---|---|---|",
    ]
    for entry in f.scope:
        lines.append(f"| {entry.basis.value} | {codes(k.value for k in entry.agency_kinds)} | {cell(entry.citation)} |")
    return lines


def _supersedes(f: Framework) -> list[str]:
    if f.supersedes is None:
        return []
    moves = f.supersedes.requirements
    lines = [
        f"## Changes from version {f.supersedes.previous}",
        "",
        f"This version supersedes version {f.supersedes.previous}. Requirements renumbered since then are "
        "below; every other requirement kept its number. Trends across cycles follow a requirement through "
        "its renumbering.",
        "",
    ]
    if not moves:
        return [*lines, "No requirement was renumbered."]
    lines += [f"| id in version {f.supersedes.previous} | id in version {f.version} |", "|---|---|"]
    lines += [f"| `{old}` | `{new}` |" for old, new in sorted(moves.items())]
    return lines


def _standards(f: Framework) -> list[str]:
    lines = ["## Standards and requirements"]
    for standard in f.standards:
        lines += ["", f"### Standard {standard.id}: {cell(standard.title)}", ""]
        if standard.description:
            lines += [cell(standard.description), ""]
        lines += [
            f"Source: {cell(standard.source)}",
            "",
            "| requirement | text | not relevant to |",
            "|---|---|---|",
        ]
        for req in standard.requirements:
            lines.append(f"| `{req.id}` | {cell(req.text)} | {codes(k.value for k in req.not_relevant_to)} |")
    return lines


def _not_relevant(f: Framework) -> list[str]:
    marked = [(s, r) for s, r in f.requirements() if r.not_relevant_to]
    lines = ["## Requirements not relevant to some kinds of agency", ""]
    if not marked:
        return [*lines, "Every requirement applies to every kind of agency in scope."]
    lines += [
        "An agency of a kind listed may leave the requirement unrated.",
        "",
        "| requirement | standard | not relevant to |",
        "|---|---|---|",
    ]
    lines += [f"| `{r.id}` | {s.id} | {codes(k.value for k in r.not_relevant_to)} |" for s, r in marked]
    return lines


def _themes(f: Framework) -> list[str]:
    if not f.themes:
        return []
    lines = [
        "## Audit themes",
        "",
        "The shared vocabulary of multi-agency case-file audits, and the requirements each theme bears on.",
        "",
        "| theme | title | requirements |",
        "|---|---|---|",
    ]
    lines += [f"| `{t.id}` | {cell(t.title)} | {codes(t.requirements)} |" for t in f.themes]
    return lines


def _survey(f: Framework) -> list[str]:
    if not f.survey_questions:
        return []
    lines = [
        "## Practitioner survey questions",
        "",
        "Questions of the practitioner audit, and the requirements their answers bear on.",
        "",
        "| question | text | requirements |",
        "|---|---|---|",
    ]
    lines += [f"| `{q.id}` | {cell(q.text)} | {codes(q.requirements)} |" for q in f.survey_questions]
    return lines


def catalog_page(f: Framework) -> str:
    """The Markdown page of one catalog version."""
    count = sum(1 for _ in f.requirements())
    lines = [
        f"# {cell(f.title)}, version {f.version}",
        "",
        f'!!! note "Generated from the bundled catalog `{f.id}` version {f.version}"',
        "    This page is written from the catalog sgassure ships (`sgassure/standards/`) each time the site is",
        f'    built. Load it with `sgassure.bundled_framework("{f.id}", "{f.version}")`.',
        "",
        "| catalog | |",
        "|---|---|",
        f"| id | `{f.id}` |",
        f"| version | `{f.version}` |",
        f"| statute | {cell(f.statute)} |",
        f"| sector | {f.sector.value} |",
        f"| standards | {len(f.standards)} |",
        f"| requirements | {count} |",
        f"| supersedes | {'version ' + f.supersedes.previous if f.supersedes else '–'} |",
        "",
    ]
    for section in (_scope(f), _scale(f), _supersedes(f), _standards(f), _not_relevant(f), _themes(f), _survey(f)):
        if section:
            lines += [*section, ""]
    return "\n".join(lines)


def index_page(frameworks: tuple[Framework, ...]) -> str:
    """The Markdown page listing every bundled catalog version."""
    lines = [
        "# Standards catalogs",
        "",
        "The catalogs bundled with sgassure, one page per version, generated from the catalog files each time "
        "the site is built. A workspace may add its own catalogs, or override a bundled one of the same id and "
        "version, in its `catalogs/` folder (see [Workspaces and files](../workspace.md)).",
        "",
        "| catalog | id | version | statute | sector | standards | requirements | supersedes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in frameworks:
        count = sum(1 for _ in f.requirements())
        previous = f.supersedes.previous if f.supersedes else "–"
        lines.append(
            f"| [{cell(f.title)}]({page_uri(f).removeprefix('catalogs/')}) | `{f.id}` | {f.version} | "
            f"{cell(f.statute)} | {f.sector.value} | {len(f.standards)} | {count} | {previous} |"
        )
    return "\n".join(lines) + "\n"


def _nav_section(nav: Any) -> list[Any] | None:
    """The nav list whose first entry is the catalogs index, searched depth first."""
    if isinstance(nav, list):
        if nav and (nav[0] == INDEX or (isinstance(nav[0], dict) and INDEX in nav[0].values())):
            return nav
        for item in nav:
            found = _nav_section(item)
            if found is not None:
                return found
    elif isinstance(nav, dict):
        for value in nav.values():
            found = _nav_section(value)
            if found is not None:
                return found
    return None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Complete the catalogs nav section with one entry per bundled catalog version."""
    section = _nav_section(config.nav)
    if section is not None:
        listed = {v for item in section if isinstance(item, dict) for v in item.values()}
        for f in sgassure.bundled_frameworks():
            if page_uri(f) not in listed:
                section.append({f"{f.title}, version {f.version}": page_uri(f)})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated catalog pages to the site."""
    frameworks = sgassure.bundled_frameworks()
    files.append(File.generated(config, INDEX, content=index_page(frameworks)))
    for f in frameworks:
        files.append(File.generated(config, page_uri(f), content=catalog_page(f)))
    return files
