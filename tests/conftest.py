"""Shared fixtures: the bundled example workspace and a builder for small workspaces."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import sgassure

MINI_PARTNERSHIP = """\
version: 1
id: fenmarsh
name: Fenmarsh Safeguarding Partnership
areas: [Fenmarsh]
agencies:
  - {id: fcc-csc, name: Fenmarsh County Council Children's Services, kind: la-childrens, sectors: children}
  - {id: fen-police, name: Fenmarsh Police, kind: police, sectors: both, aliases: [FP]}
  - {id: fen-icb, name: NHS Fenmarsh ICB, kind: icb, sectors: both}
bodies:
  - {id: fscp, name: Fenmarsh Safeguarding Children Partnership, kind: childrens-board, sector: children}
  - {id: fscp-exec, name: FSCP Executive, kind: executive, sector: children}
memberships:
  - {agency: fen-police, body: fscp-exec, class: statutory, start: 2023-04-01}
meetings:
  - {body: fscp-exec, date: 2024-06-01, attended: [fen-police]}
reporting_lines:
  - {from: fscp-exec, to: fscp}
"""

MINI_CYCLE = """\
version: 1
id: s11-2024
title: Section 11 audit 2024
framework: section-11
framework_version: "2023"
opens: 2024-03-01
deadline: 2024-05-31
"""

MINI_RETURN = """\
version: 1
agency: fen-police
cycle: s11-2024
framework: section-11
framework_version: "2023"
submitted: 2024-05-20
completed_by: Head of Public Protection
ratings:
  - requirement: "1.1"
    level: mostly
    evidence:
      - {description: Safeguarding policy, effective: 2024-01-01, recorded: 2024-05-01, valid_months: 24}
"""


@pytest.fixture(scope="session")
def example_path() -> Path:
    """The bundled example workspace folder."""
    return sgassure.example_workspace_path()


@pytest.fixture(scope="session")
def example_ws(example_path: Path) -> sgassure.Workspace:
    """The bundled example workspace, loaded once."""
    return sgassure.load_workspace(example_path)


WorkspaceBuilder = Callable[..., Path]


@pytest.fixture
def make_workspace(tmp_path: Path) -> WorkspaceBuilder:
    """Write a small valid workspace, with files replaced or added by relative path."""

    def build(files: dict[str, str] | None = None, *, base: bool = True) -> Path:
        root = tmp_path / "ws"
        content: dict[str, str] = {}
        if base:
            content = {
                "partnership.yaml": MINI_PARTNERSHIP,
                "cycles/s11-2024.yaml": MINI_CYCLE,
                "returns/s11-2024/fen-police.yaml": MINI_RETURN,
            }
        content.update(files or {})
        for name, text in content.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return build


def load_problems(root: Path) -> list[str]:
    """The problem lines a workspace fails to load with."""
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.load_workspace(root)
    return str(info.value).splitlines()


# Rules of an "alerts" pack: escalations with and without findings (the tests compose packs from them).
ALERT_RULES = {
    "gap-without-plan": """\
  - id: alerts.gap-without-plan
    title: A gap without a plan, raised with the Health and Wellbeing Board
    severity: critical
    source: Working Together to Safeguard Children 2023
    when:
      all:
        - fact: finding
          as: f
          where: {rule: s11.no-action-plan}
    then:
      escalate:
        concern: unresolved-risk
        subject: [f.agency, f.cycle, f.requirement]
        message: "{f.agency} has no plan for requirement {f.requirement} in {f.cycle}"
""",
    "overdue": """\
  - id: alerts.overdue
    title: An overdue action, escalated with a message of its own
    severity: low
    source: Working Together to Safeguard Children 2023
    when:
      all:
        - fact: action
          as: a
          where: {closed: false, due: {before: as_of}, agency: wcpft}
    then:
      finding:
        subject: [a.agency, a.cycle, a.requirement]
        message: "{a.agency_name}'s action {a.action} is overdue"
      escalate: {concern: overdue-action, message: "Action {a.action} of {a.agency} was due {a.due}"}
""",
    "read": """\
  - id: alerts.read
    title: The pack's findings, read back
    severity: info
    source: Working Together to Safeguard Children 2023
    when:
      all:
        - fact: finding
          as: f
          where: {pack: alerts, rule: {ne: alerts.read}}
    then:
      finding:
        subject: [f.agency, f.cycle, f.requirement]
        message: "read {f.rule}"
""",
}


def alerts_pack(title: str, *rules: str) -> str:
    """The text of an ``alerts`` rule pack titled ``title`` holding the named rules of ALERT_RULES, in order."""
    return f"version: 1\nid: alerts\ntitle: {title}\nrules:\n" + "".join(ALERT_RULES[r] for r in rules)


# The start of a one-framework pack "demo", and a rule to follow it (the tests compose packs from them).
DEMO_PACK_HEAD = """\
version: 1
id: demo
title: Demo
framework: section-11
rules:
"""

DEMO_RULE = """\
  - id: demo.below
    title: Below threshold
    severity: medium
    source: Children Act 2004, s.11
    when:
      all:
        - fact: rating
          as: r
          where:
            level: {below: threshold}
    then:
      finding: {message: "{r.agency} {r.requirement}"}
"""
