"""The errors page shows the messages sgassure really prints, and every message a loader can print.

``docs/errors.md`` lists each kind of problem a :class:`~sgassure.LoadError`
reports, in tables whose first cell holds the exact message (one or more code
spans). Three checks keep it true:

* every message on the page is printed by one of the bad inputs in
  :data:`TRIGGERS` (real YAML text, small workspaces, rule packs, spreadsheets and
  appraisal files that sgassure refuses);
* every message template in the loaders' source (collected from the code by
  :func:`templates`) matches some message on the page, so a new kind of problem
  cannot ship undocumented;
* the page's example of a whole line is what ``sgassure check`` prints.

To document a new message: add a row to the page with a real example of it, and a
trigger here that produces exactly that message (a function decorated with
``@trigger`` that makes sgassure raise the LoadError).
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import itertools
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.conftest import DEMO_PACK_HEAD as HEAD
from tests.conftest import DEMO_RULE as RULE
from tests.conftest import MINI_CYCLE, MINI_PARTNERSHIP, MINI_RETURN

import sgassure
from sgassure import cli
from sgassure._sheets_layout import _ABOUT_COLUMNS, _ACTIONS_COLUMNS, _RATINGS_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "errors.md"
SRC = ROOT / "src" / "sgassure"

# --- The messages on the page ----------------------------------------------------------------------------------

_ROW = re.compile(r"^\|(?P<first>(?:[^|`]|`[^`]*`)*)\|", re.MULTILINE)
_CODE = re.compile(r"`([^`]+)`")


def page_messages(markdown: str) -> list[str]:
    """The messages of the page: every code span in the first cell of a table row (header rows have none)."""
    return [m for row in _ROW.finditer(markdown) for m in _CODE.findall(row.group("first"))]


# --- The message templates in the loaders' source ---------------------------------------------------------------

# The modules that report problems of input (each problem ends up in a LoadError).
LOADER_MODULES = (
    "_compile.py",
    "_convert.py",
    "_files.py",
    "_packs.py",
    "_sheets_cells.py",
    "_sheets_read.py",
    "_validate.py",
    "_workspace_load.py",
    "_yaml.py",
    "appraisal_file.py",
    "appraisal_model.py",
    "appraisal_table.py",
    "audit.py",
    "privacy.py",
    "spreadsheets.py",
    "workspace.py",
)
# Calls that take a problem's message, and the position of the message among their arguments
# (-1: the last). Problem(message=...) is read too, and the strings returned by MESSAGE_FUNCTIONS.
MESSAGE_ARGUMENTS = {"add": 1, "problem": 1, "fail": -1, "_file_problem": 1, "_Invalid": 0}
MESSAGE_FUNCTIONS = ("case_reference_problem",)

_HOLE = None  # a part of a message computed at run time
_HINT = "?"  # the did_you_mean(...) hint: empty, or "; did you mean 'x'?"
Parts = tuple[str | None, ...]


def _string_like(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _string_like(node.left) or _string_like(node.right)
    if isinstance(node, ast.IfExp):
        return _string_like(node.body) or _string_like(node.orelse)
    return False


def _variants(node: ast.expr, bound: dict[str, Parts]) -> list[Parts]:
    """The forms a message expression can take: literal text, holes and hints; local names take their ``bound`` form."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value,)]
    if isinstance(node, ast.JoinedStr):
        pieces = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                plain = value.conversion == -1 and value.format_spec is None
                pieces.append(_variants(value.value, bound) if plain else [(_HOLE,)])
            else:
                pieces.append(_variants(value, bound))
        return [tuple(itertools.chain.from_iterable(combo)) for combo in itertools.product(*pieces)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _string_like(node):
        return [a + b for a in _variants(node.left, bound) for b in _variants(node.right, bound)]
    if isinstance(node, ast.IfExp) and _string_like(node):
        return _variants(node.body, bound) + _variants(node.orelse, bound)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "did_you_mean":
        return [(_HINT,)]
    if isinstance(node, ast.Name) and node.id in bound:
        return [bound[node.id]]
    return [(_HOLE,)]


def _empty(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == ""


def _expand(message: ast.expr, names: dict[str, list[ast.expr]], outer: frozenset[str] = frozenset()) -> list[Parts]:
    """The forms of a message; a local name assigned strings takes one of their forms throughout the message.

    An empty string assigned as a start value is not a form; a name also assigned
    something else than a string may be anything (a hole).
    """
    choices: dict[str, list[Parts]] = {}
    for node in ast.walk(message):
        if isinstance(node, ast.Name) and node.id in names and node.id not in outer and node.id not in choices:
            values = [v for v in names[node.id] if not _empty(v)]
            strings = [v for v in values if _string_like(v)]
            forms = [f for v in strings for f in _expand(v, names, outer | {node.id})]
            choices[node.id] = forms + ([(_HOLE,)] if len(strings) < len(values) or not forms else [])
    keys = list(choices)
    found: list[Parts] = []
    for combo in itertools.product(*(choices[k] for k in keys)):
        found += _variants(message, dict(zip(keys, combo, strict=True)))
    return found


def _assigned(function: ast.AST) -> dict[str, list[ast.expr]]:
    """The values assigned to each local name of a function (``x = ...`` and ``(x := ...)``)."""
    out: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out.setdefault(node.targets[0].id, []).append(node.value)
        elif isinstance(node, ast.NamedExpr):
            out.setdefault(node.target.id, []).append(node.value)
    return out


def _message_nodes(tree: ast.Module) -> Iterator[tuple[ast.AST, ast.expr, ast.AST | None]]:
    """(node, message expression, enclosing function) for every message the module reports."""
    owner: dict[int, ast.AST] = {}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            for node in ast.walk(function):
                owner[id(node)] = function  # inner functions come later in the walk and win
    for node in ast.walk(tree):
        message: ast.expr | None = None
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "Problem":
                message = next((k.value for k in node.keywords if k.arg == "message"), None)
            elif name in MESSAGE_ARGUMENTS and node.args:
                index = MESSAGE_ARGUMENTS[name]
                message = node.args[index] if index < len(node.args) else None
        elif isinstance(node, ast.Return) and node.value is not None:
            function = owner.get(id(node))
            if isinstance(function, ast.FunctionDef) and function.name in MESSAGE_FUNCTIONS:
                message = node.value
        if message is not None:
            yield node, message, owner.get(id(node))


def templates() -> dict[Parts, str]:
    """Every message template of the loaders, with where it is first written (``module.py:line``).

    Whole messages passed through from elsewhere (``str(exc)``) and templates with
    less than four characters of literal text are left out: they are not kinds.
    """
    found: dict[Parts, str] = {}
    for module in LOADER_MODULES:
        tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
        for node, message, function in _message_nodes(tree):
            names = _assigned(function) if function is not None else {}
            for parts in _expand(message, names):
                literal = "".join(p for p in parts if p not in (_HOLE, _HINT))
                if len(literal.strip()) >= 4:
                    found.setdefault(parts, f"{module}:{getattr(node, 'lineno', 0)}")
    return found


def template_regex(parts: Parts) -> re.Pattern[str]:
    """A template as a regular expression: holes match any text, the hint matches itself or nothing."""
    pattern = "".join(
        "(?:.+)" if p is _HOLE else r"(?:; did you mean .+\?)?" if p == _HINT else re.escape(p) for p in parts
    )
    return re.compile(pattern, re.DOTALL)


def template_text(parts: Parts) -> str:
    """A template for people: ``{}`` for a hole, ``{hint}`` for the did-you-mean hint."""
    return "".join("{}" if p is _HOLE else "{hint}" if p == _HINT else p for p in parts)


# --- Bad inputs ---------------------------------------------------------------------------------------------------

TRIGGERS: list[Callable[[Path], object]] = []


def trigger(function: Callable[[Path], object]) -> Callable[[Path], object]:
    """Register a bad input: a function of a fresh folder that makes sgassure raise a LoadError."""
    TRIGGERS.append(function)
    return function


def _dedent(text: str) -> str:
    """Text written indented in this file, as the file it stands for."""
    return textwrap.dedent(text).lstrip("\n")


def partnership(text: str) -> object:
    """Read a partnership file's text (reported as ``partnership.yaml``)."""
    return sgassure.parse_partnership(_dedent(text), source="partnership.yaml")


def _mini(old: str, new: str) -> object:
    """Read the small workspace's partnership with one replacement."""
    assert old in MINI_PARTNERSHIP, old
    return partnership(MINI_PARTNERSHIP.replace(old, new))


def _append(text: str) -> object:
    """Read the small workspace's partnership with a section added."""
    return partnership(MINI_PARTNERSHIP + _dedent(text))


def workspace(folder: Path, files: dict[str, str | bytes]) -> sgassure.Workspace:
    """Write the tests' small workspace (partnership, a cycle, a return) with files added or replaced; load it."""
    root = folder / "ws"
    content: dict[str, str | bytes] = {
        "partnership.yaml": MINI_PARTNERSHIP,
        "cycles/s11-2024.yaml": MINI_CYCLE,
        "returns/s11-2024/fen-police.yaml": MINI_RETURN,
        **files,
    }
    for name, text in content.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(_dedent(text), encoding="utf-8")
    return sgassure.load_workspace(root)


def a_return(old: str, new: str) -> dict[str, str]:
    """The small workspace's return with one replacement."""
    assert old in MINI_RETURN, old
    return {"returns/s11-2024/fen-police.yaml": MINI_RETURN.replace(old, new)}


# Reading files


@trigger
def missing_file(folder: Path) -> object:
    return sgassure.load_partnership(folder / "partnership.yaml")


@trigger
def file_not_utf8(folder: Path) -> object:
    (folder / "partnership.yaml").write_bytes(b"version: 1\nname: \xff\n")
    return sgassure.load_partnership(folder / "partnership.yaml")


@trigger
def file_is_a_folder(folder: Path) -> object:
    (folder / "partnership.yaml").mkdir()
    return sgassure.load_partnership(folder / "partnership.yaml")


# YAML


@trigger
def yaml_syntax(_: Path) -> object:
    return partnership("version: 1\nareas: [Fenmarsh\n")


@trigger
def yaml_object_tag(_: Path) -> object:
    return partnership("version: 1\nid: !!python/object:os.system ls\n")


@trigger
def yaml_unreadable_date(_: Path) -> object:
    return partnership("version: 1\nstart: 2025-02-30\n")


@trigger
def yaml_merge_key(_: Path) -> object:
    return partnership("version: 1\nbase: &base {kind: police}\nagency: {<<: *base, id: p}\n")


@trigger
def yaml_key_not_a_string(_: Path) -> object:
    return partnership("version: 1\n1.5: one and a half\n")


@trigger
def yaml_duplicate_key(_: Path) -> object:
    return partnership("version: 1\nid: fenmarsh\nname: Fenmarsh\nid: fenmarsh-2\n")


# The shape of a file


@trigger
def not_a_mapping(_: Path) -> object:
    return partnership("- version: 1\n")


@trigger
def version_missing(_: Path) -> object:
    return partnership("id: fenmarsh\n")


@trigger
def version_unsupported(_: Path) -> object:
    return _mini("version: 1", "version: 2")


@trigger
def unknown_field(_: Path) -> object:
    return _mini("  - {id: fen-icb, name:", "  - {id: fen-icb, nmae:")


@trigger
def text_written_as_boolean(_: Path) -> object:
    return _mini("name: Fenmarsh Safeguarding Partnership", "name: no")


@trigger
def null_for_text(_: Path) -> object:
    return _mini("name: Fenmarsh Safeguarding Partnership", "name: ~")


@trigger
def decimal_for_an_integer(_: Path) -> object:
    return _append(
        """\
        escalation_policy:
          rules:
            - concern: overdue-action
              body: fscp-exec
              parameters: [{start: 2024-04-01, grace_days: 2.9}]
        """
    )


@trigger
def text_for_true_or_false(_: Path) -> object:
    return _mini("class: statutory, start:", 'class: statutory, deputies_allowed: "yes", start:')


@trigger
def not_a_date(_: Path) -> object:
    return _mini("start: 2023-04-01", "start: 01/04/2023")


@trigger
def unknown_choice(_: Path) -> object:
    return _mini("class: statutory", "class: coopted")


@trigger
def not_a_list(_: Path) -> object:
    return _mini("areas: [Fenmarsh]", "areas: Fenmarsh")


@trigger
def not_a_mapping_of_fields(_: Path) -> object:
    return _mini("reporting_lines:\n  - {from: fscp-exec, to: fscp}", "reporting_lines:\n  - fscp-exec reports to fscp")


@trigger
def not_a_number(folder: Path) -> object:
    kpis = """\
    version: 1
    indicators:
      - id: kpi-01
        title: Re-referrals
        definition: Share of referrals within 12 months of a previous one
        unit: percent
        polarity: lower-is-better
        sector: children
        observations:
          - {period: 2024-25 Q4, as_at: 2025-03-31, value: many, source: Children's services}
          - {period: 2025-26 Q1, as_at: 2025-06-30, value: .inf, source: Children's services}
    """
    return workspace(folder, {"indicators.yaml": kpis})


# The partnership


@trigger
def duplicate_id(_: Path) -> object:
    return _mini("bodies:\n", "  - {id: fen-police, name: Another Police, kind: police, sectors: both}\nbodies:\n")


@trigger
def unknown_reference(_: Path) -> object:
    return _mini("{agency: fen-police, body: fscp-exec, class", "{agency: fen-polce, body: fscp-exec, class")


@trigger
def agency_and_body_share_an_id(_: Path) -> object:
    return _mini("  - {id: fscp-exec,", "  - {id: fen-icb,")


@trigger
def tenure_ends_before_it_starts(_: Path) -> object:
    return _mini("start: 2023-04-01}", "start: 2023-04-01, end: 2023-03-31}")


@trigger
def body_reports_to_itself(_: Path) -> object:
    return _mini("{from: fscp-exec, to: fscp}", "{from: fscp, to: fscp}")


@trigger
def line_ends_before_it_starts(_: Path) -> object:
    return _mini("{from: fscp-exec, to: fscp}", "{from: fscp-exec, to: fscp, start: 2024-04-01, end: 2024-03-31}")


@trigger
def agreement_problems(_: Path) -> object:
    return _append(
        """\
        information_sharing:
          - {id: isa-1, title: Police and ICB, parties: [fen-police], start: 2024-04-01, end: 2024-03-31}
        """
    )


@trigger
def commissioning_ends_before_it_starts(_: Path) -> object:
    return _append(
        """\
        commissioning:
          - {commissioner: fen-icb, provider: fcc-csc, service: Health visiting, start: 2024-04-01, end: 2024-03-31}
        """
    )


@trigger
def alias_of_two_agencies(_: Path) -> object:
    return _mini("kind: la-childrens, sectors: children}", "kind: la-childrens, sectors: children, aliases: [FP]}")


# Catalogs


def catalog(old: str, new: str) -> object:
    """Read the bundled 2023 Section 11 catalog with one replacement, as a workspace's local catalog."""
    text = (SRC / "standards" / "section-11-2023.yaml").read_text(encoding="utf-8")
    assert old in text, old
    return sgassure.parse_framework(text.replace(old, new, 1), source="catalogs/section-11-local.yaml")


@trigger
def alias_of_two_levels(_: Path) -> object:
    return catalog('aliases: ["M", "3", "amber-green"]', 'aliases: ["M", "3", "F"]')


@trigger
def catalog_supersedes_itself(_: Path) -> object:
    return catalog("sector: children\n", 'sector: children\nsupersedes: {previous: "2023"}\n')


@trigger
def supersedes_map_not_a_mapping(_: Path) -> object:
    return catalog("sector: children\n", 'sector: children\nsupersedes: {previous: "2021", requirements: ["1.1"]}\n')


# A workspace's cross-references


@trigger
def cycle_of_another_framework(folder: Path) -> object:
    saaf = """\
    version: 1
    id: saaf-2024
    title: SAAF 2024
    framework: saaf
    framework_version: "2024"
    opens: 2024-09-01
    deadline: 2024-08-31
    previous: s11-2024
    """
    return workspace(folder, {"cycles/saaf-2024.yaml": saaf})


@trigger
def return_answers_another_version(folder: Path) -> object:
    return workspace(folder, a_return('framework_version: "2023"', 'framework_version: "2025"'))


@trigger
def level_written_as_an_alias(folder: Path) -> object:
    return workspace(folder, a_return("level: mostly", "level: amber"))


@trigger
def level_not_on_the_scale(folder: Path) -> object:
    return workspace(folder, a_return("level: mostly", "level: partial"))


@trigger
def rating_both_level_and_not_applicable(folder: Path) -> object:
    return workspace(folder, a_return("    level: mostly\n", "    level: mostly\n    not_applicable: true\n"))


@trigger
def rating_without_level(folder: Path) -> object:
    return workspace(folder, a_return("    level: mostly\n", "    reason: Not our service\n"))


@trigger
def requirement_rated_twice(folder: Path) -> object:
    return workspace(folder, a_return("ratings:\n", 'ratings:\n  - {requirement: "1.1", level: fully}\n'))


@trigger
def evidence_problems(folder: Path) -> object:
    return workspace(
        folder, a_return("recorded: 2024-05-01, valid_months: 24", "recorded: 2023-12-01, valid_months: 0")
    )


@trigger
def moderated_by_an_unknown_body(folder: Path) -> object:
    moderation = "    moderation: {level: partly, rationale: No evidence, date: 2024-07-01, by: fscp-qa}\n"
    return workspace(folder, a_return("    evidence:\n", moderation + "    evidence:\n"))


@trigger
def case_file_audit_problems(folder: Path) -> object:
    audit = """\
    version: 1
    id: cfa-1
    title: Neglect
    topic: neglect
    framework: section-11
    date: 2024-11-05
    cases: [NEG-24-001, Jane Smith]
    agencies: [fen-police]
    findings:
      - {agency: fen-icb, grade: good, themes: [recording], cases: [NEG-24-001], summary: Clear records.}
    """
    return workspace(folder, {"case-file-audits/cfa-1.yaml": audit})


@trigger
def practitioner_audit_counts(folder: Path) -> object:
    survey = """\
    version: 1
    id: pa-2024
    title: Practitioner survey 2024
    framework: section-11
    framework_version: "2023"
    date: 2024-10-01
    results:
      - {agency: fen-police, question: PQ1, respondents: -1, agreed: 0}
      - {agency: fen-icb, question: PQ1, respondents: 10, agreed: 12}
    """
    return workspace(folder, {"practitioner-audits/pa-2024.yaml": survey})


@trigger
def published_attendance(folder: Path) -> object:
    published = """\
    version: 1
    attendance:
      - {body: fscp-exec, agency: fen-police, start: 2024-04-01, end: 2024-03-31, percent: 100, decimals: -1,
         source: "Annual report 2024, p.12"}
    """
    return workspace(folder, {"published.yaml": published})


@trigger
def decision_expires_before_it_was_made(_: Path) -> object:
    text = """\
    version: 1
    decisions:
      - {fingerprint: section-11/x, justification: J, approver: Chair, date: 2024-06-01, expires: 2024-05-31}
    """
    return sgassure.parse_decisions(_dedent(text), source="decisions.yaml")


# The workspace folder


@trigger
def not_a_folder(folder: Path) -> object:
    return sgassure.load_workspace(folder / "no-such-workspace")


@trigger
def stray_entries(folder: Path) -> object:
    return workspace(folder, {"notes.txt": "hello\n", "cycles/notes.txt": "hello\n"})


@trigger
def catalog_twice(folder: Path) -> object:
    text = (SRC / "standards" / "section-11-2023.yaml").read_text(encoding="utf-8")
    return workspace(folder, {"catalogs/a.yaml": text, "catalogs/b.yaml": text})


@trigger
def cycle_twice(folder: Path) -> object:
    return workspace(folder, {"cycles/copy.yaml": MINI_CYCLE})


@trigger
def appraisal_twice(folder: Path) -> object:
    return workspace(folder, {"appraisals/a.yaml": APPRAISAL, "appraisals/b.yaml": APPRAISAL})


@trigger
def decision_matching_no_finding(folder: Path) -> object:
    decisions = """\
    version: 1
    decisions:
      - {fingerprint: demo/demo.below/agency=fcc-csc, justification: J, approver: Chair, date: 2024-06-01}
    """
    ws = workspace(folder, {"decisions.yaml": decisions})
    return sgassure.run_audit(ws, [pack(RULE)], as_of=dt.date(2024, 9, 30))


# Rule packs


def pack(rule: str = RULE, *, head: str = HEAD, tests: str = "") -> sgassure.RulePack:
    """Read a rule pack made of a head, rules and test cases."""
    return sgassure.parse_rule_pack(head + rule + tests, source="rules/demo.yaml")


def condition(where: str) -> object:
    """The demo rule with its condition on the rating replaced."""
    return pack(RULE.replace("level: {below: threshold}", where))


@trigger
def pack_unknown_framework(_: Path) -> object:
    return pack(head=HEAD.replace("framework: section-11", "framework: section11"))


@trigger
def pack_too_many_rules(_: Path) -> object:
    rule = "  - &r {id: r, title: T, severity: low, source: S, when: {all: [{fact: rating}]}, "
    rule += "then: {finding: {message: x}}}\n"
    return pack(rule + "  - *r\n" * 4095)


@trigger
def rule_without_patterns(_: Path) -> object:
    return pack(
        RULE.replace(
            "      all:\n        - fact: rating\n          as: r\n",
            "      all: []\n      none:\n        - fact: rating\n          as: r\n",
        )
    )


@trigger
def alias_bound_twice(_: Path) -> object:
    return pack(RULE.replace("      all:\n", "      all:\n        - {fact: assessment, as: r}\n"))


@trigger
def absence_of_findings(_: Path) -> object:
    return pack(
        RULE.replace("    then:", "      none:\n        - {fact: finding, where: {agency: $r.agency}}\n    then:")
    )


@trigger
def absence_not_joined(_: Path) -> object:
    return pack(RULE.replace("    then:", "      none:\n        - {fact: action, where: {closed: false}}\n    then:"))


COUNT = """\
  - id: demo.count
    title: Many findings
    severity: high
    source: S
    when:
      count: {fact: finding, by: BY, distinct: DISTINCT, at_least: AT_LEAST}
    then:
      finding: {message: "{group.count}"}
"""


@trigger
def count_without_by(_: Path) -> object:
    return pack(COUNT.replace("BY", "[]").replace("DISTINCT", "rule").replace("AT_LEAST", "0"))


@trigger
def count_unknown_fields(_: Path) -> object:
    return pack(COUNT.replace("BY", "[agnecy]").replace("DISTINCT", "nope").replace("AT_LEAST", "2"))


@trigger
def unknown_fact_kind(_: Path) -> object:
    return pack(RULE.replace("fact: rating", "fact: ratings"))


@trigger
def unknown_fact_field(_: Path) -> object:
    return condition("requirment: '1.1'")


@trigger
def too_many_references(_: Path) -> object:
    refs = "{eq: $r.agency, ne: $r.cycle, lt: $r.standard, le: $r.requirement, gt: $r.framework, ge: $r.comment}"
    join = f"        - fact: rating\n          where: {{agency: {refs}, cycle: {refs}, standard: {refs}, "
    join += f"requirement: {refs}, framework: {refs}}}\n    then:"
    return pack(RULE.replace("    then:", join))


@trigger
def no_operator(_: Path) -> object:
    return condition("evidence: {}")


@trigger
def level_operator_on_another_field(_: Path) -> object:
    return condition("evidence: {below: threshold}")


@trigger
def reading_without_a_level_operator(_: Path) -> object:
    return condition("agency: {eq: fen-police, reading: self}")


@trigger
def level_compared_by_name(_: Path) -> object:
    return condition("level: mostly")


@trigger
def empty_list(_: Path) -> object:
    return condition("agency: {in: []}")


@trigger
def bad_regular_expression(_: Path) -> object:
    return condition("comment: {matches: '(urgent'}")


@trigger
def level_not_on_the_pack_scale(_: Path) -> object:
    return condition("level: {below: partial}")


@trigger
def malformed_reference(_: Path) -> object:
    return condition("agency: $agency")


@trigger
def unbound_alias(_: Path) -> object:
    return condition("agency: $a.agency")


@trigger
def unknown_field_of_an_alias(_: Path) -> object:
    return pack(RULE.replace('message: "{r.agency} {r.requirement}"', 'message: "{r.agnecy}"'))


CONTRADICTIONS = (
    "{gt: 3, lt: 2}",
    "{gt: 3, le: 2}",
    "{ge: 3, lt: 2}",
    "{ge: 3, le: 2}",
    "{eq: 1, gt: 2}",
    "{eq: 1, ge: 2}",
    "{eq: 3, lt: 2}",
    "{eq: 3, le: 2}",
    "{eq: 1, ne: 1}",
)


@trigger
def contradictory_numbers(_: Path) -> object:
    rule = RULE.replace("          as: r\n", "").replace('"{r.agency} {r.requirement}"', "x")
    return pack(
        "".join(
            rule.replace("demo.below", f"demo.c{i}").replace("level: {below: threshold}", f"evidence: {bounds}")
            for i, bounds in enumerate(CONTRADICTIONS)
        )
    )


@trigger
def contradictory_sets(_: Path) -> object:
    rule = RULE.replace("          as: r\n", "").replace('"{r.agency} {r.requirement}"', "x")
    bounds = (
        "agency: {in: [a], not_in: [a, b]}",
        "agency: {eq: a, in: [b]}",
        "agency: {eq: a, not_in: [a]}",
        "evidence: {gt: 1, lt: two}",
    )
    return pack(
        "".join(
            rule.replace("demo.below", f"demo.s{i}").replace("level: {below: threshold}", b)
            for i, b in enumerate(bounds)
        )
    )


@trigger
def subject_not_a_subject_field(_: Path) -> object:
    return pack(
        RULE.replace('finding: {message: "{r.agency} {r.requirement}"}', "finding: {message: x, subject: [r.level]}")
    )


@trigger
def rule_without_an_outcome(_: Path) -> object:
    return pack(RULE.replace('    then:\n      finding: {message: "{r.agency} {r.requirement}"}', "    then: {}"))


@trigger
def escalation_without_a_finding_incomplete(_: Path) -> object:
    return pack(RULE.replace('finding: {message: "{r.agency} {r.requirement}"}', "escalate: {concern: recurring-gap}"))


@trigger
def escalation_subject_beside_a_finding(_: Path) -> object:
    return pack(
        RULE.replace(
            'finding: {message: "{r.agency} {r.requirement}"}',
            "finding: {message: x}\n      escalate: {concern: recurring-gap, subject: [r.agency]}",
        )
    )


TESTS = """\
tests:
  - name: a rating below the threshold
    as_of: 2024-09-30
    given:
      - {fact: ratings, agency: fen-police}
      - {fact: rating, agency: fen-police, levle: partly, evidence: two}
    expect:
      - {rule: demo.belw, subject: {agency: fen-police, level: partly}}
"""


@trigger
def pack_test_case_problems(_: Path) -> object:
    return pack(tests=TESTS)


@trigger
def date_operand(_: Path) -> object:
    return pack(
        RULE.replace("fact: rating", "fact: action").replace("level: {below: threshold}", "due: {before: yesterday}")
    )


@trigger
def value_of_another_type(_: Path) -> object:
    return condition("requirement: 8.4\n            evidence: {ge: '3'}")


@trigger
def date_of_another_type(_: Path) -> object:
    return pack(
        RULE.replace("fact: rating", "fact: action").replace("level: {below: threshold}", "due: {ne: 30/06/2025}")
    )


@trigger
def operators_that_do_not_fit_the_type(_: Path) -> object:
    return condition(
        "evidence: {before: as_of, matches: '1.*'}\n            requirement: {lt: '9.1'}\n"
        "            agency: {exists: false}\n            cycle: {exists: true}"
    )


@trigger
def reading_on_a_named_level(_: Path) -> object:
    return condition("self_level: {below: threshold, reading: moderated}")


@trigger
def references_of_another_type_or_in_a_list(_: Path) -> object:
    join = "        - fact: action\n          where: {agency: {in: [$r.agency]}, days_overdue: {gt: $r.requirement}}\n"
    return pack(RULE.replace("    then:", join + "    then:"))


@trigger
def list_for_a_single_value(_: Path) -> object:
    return condition("evidence: {gt: [1, 2]}")


@trigger
def list_for_a_condition(_: Path) -> object:
    return condition("evidence: [1, 2]")


# Running packs


def audit(folder: Path, packs: list[sgassure.RulePack], *, policy: str = "") -> object:
    """Run packs on the small workspace as at 2024-09-30, its partnership given an escalation policy if any."""
    files = {"partnership.yaml": MINI_PARTNERSHIP + _dedent(policy)} if policy else {}
    return sgassure.run_audit(workspace(folder, files), packs, as_of=dt.date(2024, 9, 30))


@trigger
def two_packs_one_id(folder: Path) -> object:
    return audit(folder, [pack(), pack()])


@trigger
def policy_parameter_missing(folder: Path) -> object:
    rule = RULE.replace("fact: rating", "fact: action").replace(
        "level: {below: threshold}",
        "due: {before: {days_before_as_of: {policy: overdue-action, parameter: grace_days}}}",
    )
    return audit(folder, [pack(rule.replace('"{r.agency} {r.requirement}"', "x"))])


@trigger
def policy_names_no_body(folder: Path) -> object:
    policy = """\
    escalation_policy:
      rules:
        - {concern: overdue-action, body: fscp-exec}
    """
    rule = RULE.replace(
        'finding: {message: "{r.agency} {r.requirement}"}',
        "finding: {message: x}\n      escalate: {concern: no-return}",
    )
    return audit(folder, [pack(rule)], policy=policy)


ESCALATE_ONLY = RULE.replace("demo.below", "demo.gap").replace(
    'finding: {message: "{r.agency} {r.requirement}"}',
    "escalate: {concern: recurring-gap, subject: [r.agency, r.requirement], message: x}",
)


@trigger
def decision_naming_an_escalation(folder: Path) -> object:
    decisions = """\
    version: 1
    decisions:
      - {fingerprint: demo/demo.gap/agency=fen-police/requirement=1.1, justification: J, approver: C, date: 2024-06-01}
    """
    policy = "escalation_policy:\n  rules:\n    - {concern: recurring-gap, body: fscp-exec}\n"
    files = {
        "partnership.yaml": MINI_PARTNERSHIP + policy,
        "decisions.yaml": decisions,
        **a_return("level: mostly", "level: partly"),
    }
    return sgassure.run_audit(workspace(folder, files), [pack(ESCALATE_ONLY)], as_of=dt.date(2024, 9, 30))


@trigger
def absences_in_a_circle(folder: Path) -> object:
    one = """\
  - id: demo.one
    title: One
    severity: low
    source: S
    when:
      all: [{fact: rating, as: r}]
      none: [{fact: action, where: {agency: $r.agency}}]
    then:
      finding: {message: x}
"""
    two = one.replace("demo.one", "demo.two").replace("fact: rating", "fact: A").replace("fact: action", "fact: rating")
    return audit(folder, [pack(one + two.replace("fact: A", "fact: action"))])


# Spreadsheet returns

ABOUT = {
    "Agency id": "fen-police",
    "Cycle id": "s11-2024",
    "Framework": "section-11",
    "Framework version": "2023",
    "Submitted date": dt.date(2024, 5, 20),
    "Completed by": "Head of Public Protection",
}
RATING = {"Standard id": "1", "Requirement id": "1.1", "Level": "mostly"}


def s11() -> sgassure.Framework:
    """The catalog the test returns are read against."""
    return sgassure.bundled_framework("section-11", "2023")


def workbook(
    folder: Path,
    *,
    about: list[tuple[Any, Any]] | None = None,
    ratings: list[dict[str, Any]] | None = None,
    actions: list[dict[str, Any]] | None = None,
    ratings_header: tuple[Any, ...] = _RATINGS_COLUMNS,
    sheets: tuple[str, ...] = ("About", "Ratings", "Actions"),
    extra: str | None = None,
    agency: str | None = None,
    cycle: str | None = None,
    framework: sgassure.Framework | None = None,
) -> object:
    """Write a return workbook (About, Ratings, Actions) and read it as a return to the 2023 Section 11 catalog."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    rows = {
        "About": [_ABOUT_COLUMNS, *(about if about is not None else list(ABOUT.items()))],
        "Ratings": [ratings_header, *([r.get(c) for c in _RATINGS_COLUMNS] for r in (ratings or [RATING]))],
        "Actions": [_ACTIONS_COLUMNS, *([a.get(c) for c in _ACTIONS_COLUMNS] for a in (actions or []))],
    }
    for title in sheets:
        sheet = book.create_sheet(title)
        for row in rows[title]:
            sheet.append(list(row))
    if extra is not None:
        book.create_sheet(extra).append(["notes"])
    path = folder / "police.xlsx"
    book.save(path)
    return sgassure.read_return(path, framework=framework or s11(), agency=agency, cycle=cycle)


def csv_return(folder: Path, text: str, *, encoding: str = "utf-8") -> object:
    """Write a return in the CSV form and read it."""
    path = folder / "police.csv"
    path.write_bytes(_dedent(text).encode(encoding))
    return sgassure.read_return(path, framework=s11())


CSV_ABOUT = """\
# Agency id: fen-police
# Cycle id: s11-2024
# Framework: section-11
# Framework version: 2023
# Submitted date: 2024-05-20
# Completed by: Head of Public Protection
"""
CSV_HEADER = ",".join(_RATINGS_COLUMNS) + "\n"


@trigger
def return_file_missing(folder: Path) -> object:
    return sgassure.read_return(folder / "police.xlsx", framework=s11())


@trigger
def return_not_a_workbook(folder: Path) -> object:
    (folder / "police.xlsx").write_text("not a workbook", encoding="utf-8")
    return sgassure.read_return(folder / "police.xlsx", framework=s11())


@trigger
def return_of_another_type(folder: Path) -> object:
    return sgassure.read_return(folder / "police.ods", framework=s11())


@trigger
def return_sheets(folder: Path) -> object:
    return workbook(folder, sheets=("About", "Ratings"), extra="Ratngs")


@trigger
def return_header(folder: Path) -> object:
    header = ("Standard id", "Standard title", "Requirement id", "Requirement id", "Levle", None, *_RATINGS_COLUMNS[6:])
    return workbook(folder, ratings_header=header)


@trigger
def return_value_without_header(folder: Path) -> object:
    header = (*_RATINGS_COLUMNS, None)
    book_rating = {**RATING}
    path_rows = [header, [book_rating.get(c) for c in _RATINGS_COLUMNS] + ["stray"]]
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (
        ("About", [_ABOUT_COLUMNS, *ABOUT.items()]),
        ("Ratings", path_rows),
        ("Actions", [_ACTIONS_COLUMNS]),
    ):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(folder / "police.xlsx")
    return sgassure.read_return(folder / "police.xlsx", framework=s11())


@trigger
def return_about_problems(folder: Path) -> object:
    about = [
        ("Agency id", "fen-icb"),
        ("Cycle id", "s11-2024"),
        ("Framework", "saaf"),
        ("Framework version", 2023),
        ("Submitted date", "20/05/2024"),
        ("Completd by", "Head of Public Protection"),
        ("Cycle id", "s11-2024"),
        (None, "x"),
    ]
    return workbook(folder, about=about, agency="fen-police", cycle="s11-2025")


@trigger
def return_cells(folder: Path) -> object:
    ratings = [
        {"Standard id": "1", "Requirement id": "1.1", "Level": "Amberish"},
        {"Standard id": "2", "Requirement id": "1.2", "Level": True},
        {"Requirement id": "1.3", "Level": "partly", "Not applicable": "maybe", "Comment": 3.5},
        {"Requirement id": "1.4", "Level": "mostly", "Not applicable": "yes", "Reason": "Not our service"},
        {"Requirement id": "2.1", "Comment": "Waiting for the audit"},
        {"Requirement id": "2.2", "Level": "fully", "Reason": "Because"},
        {"Requirement id": "2.44", "Level": "fully"},
        {"Requirement id": 9.9, "Level": "fully"},
        {"Requirement id": dt.date(2024, 1, 1), "Level": "fully"},
        {"Level": "fully"},
        {"Standard id": "3"},
        {"Requirement id": "3.1", "Level": "mostly"},
        {"Requirement id": "3.1", "Level": "partly"},
        {
            "Requirement id": "3.2",
            "Level": "fully",
            "Evidence description": "Policy",
            "Evidence effective date": "2024-02-30",
            "Evidence recorded date": dt.date(2024, 3, 1),
            "Evidence valid months": 2.9,
        },
        {
            "Requirement id": "3.3",
            "Level": "fully",
            "Evidence description": "Audit",
            "Evidence effective date": dt.date(2024, 3, 1),
            "Evidence recorded date": dt.date(2024, 2, 1),
            "Evidence valid months": 0,
        },
        {"Requirement id": "3.4", "Level": "fully", "Evidence effective date": dt.date(2024, 3, 1)},
    ]
    return workbook(folder, ratings=ratings)


@trigger
def return_requirement_number_could_be_two_ids(folder: Path) -> object:
    text = (SRC / "standards" / "section-11-2023.yaml").read_text(encoding="utf-8").replace('"1.4"', '"1.10"')
    local = sgassure.parse_framework(text, source="catalogs/section-11-local.yaml")
    return workbook(folder, ratings=[{"Requirement id": 1.1, "Level": "fully"}], framework=local)


@trigger
def return_actions(folder: Path) -> object:
    actions = [
        {"Requirement id": "1.1", "Action": "Train staff"},
        {"Action id": "A1", "Requirement id": "1.1", "Action": "Train staff", "Owner": "Head of PP",
         "Due date": dt.date(2024, 9, 1), "Status": "started", "Status date": dt.date(2024, 6, 1)},
        {"Action id": "A1", "Status": "in-progress"},
        {"Action id": "A1", "Status date": dt.date(2024, 7, 1)},
        {"Action id": "A1", "Status note": "Going well"},
        {"Action id": "A2", "Requirement id": "1.2", "Action": "Audit files", "Owner": "Head of PP",
         "Due date": dt.date(2024, 9, 1), "Status": "in-progress", "Status date": dt.date(2024, 6, 1)},
        {"Action id": "A2", "Status": "complete", "Status date": dt.date(2024, 6, 1)},
        {"Action id": "A3", "Action": "Review policy"},
    ]  # fmt: skip
    return workbook(folder, actions=actions)


@trigger
def return_answers_nothing(folder: Path) -> object:
    return workbook(folder, ratings=[{"Standard id": "1", "Requirement id": "1.1"}])


@trigger
def return_csv_not_utf8(folder: Path) -> object:
    return csv_return(folder, CSV_ABOUT.replace("Head of", "Directrice de la sûreté,") + CSV_HEADER, encoding="latin-1")


@trigger
def return_csv_syntax(folder: Path) -> object:
    return csv_return(folder, CSV_ABOUT + CSV_HEADER + '1,"Senior management,1.1\n')


@trigger
def return_csv_comment_lines(folder: Path) -> object:
    return csv_return(folder, CSV_ABOUT + "# a note\n" + CSV_HEADER + "1,,1.1,,mostly\n# Completed by: Someone\n")


@trigger
def return_csv_is_a_folder(folder: Path) -> object:
    (folder / "police.csv").mkdir()
    return sgassure.read_return(folder / "police.csv", framework=s11())


# Appraisal files

APPRAISAL = """\
version: 1
id: ipa
title: Integrated Point of Access
programme: Integrated Point of Access
partners:
  - {id: wcc, name: Wendmoor County Council}
options:
  - {id: bau, label: Remain as is, role: business-as-usual, shortlisted: true, shortlist_reason: Baseline}
  - {id: hub, label: Virtual hub, role: preferred, shortlisted: true, shortlist_reason: One number}
  - {id: merge, label: Merged team, shortlisted: false, shortlist_reason: Too costly}
groups:
  - id: obj
    label: Objectives
    scale: {min: 0, max: 3, step: 1}
    criteria:
      - {id: o1, label: Access, weight: 60%}
      - {id: o2, label: Safety, weight: 40%}
scores:
  o1: {bau: 0, hub: 3}
  o2: {bau: 1, hub: 2}
"""


def appraisal(*changes: tuple[str, str], text: str = APPRAISAL) -> object:
    """Read the small appraisal (or ``text``) with replacements made in turn."""
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return sgassure.parse_appraisal(text, source="appraisals/ipa.yaml")


@trigger
def appraisal_scores(_: Path) -> object:
    return appraisal(
        (
            "      - {id: o2, label: Safety, weight: 40%}",
            "      - {id: o2, label: Safety, weight: 40%}\n"
            "      - {id: o3, label: Cost, not_applicable: true, reason: Financial case}",
        ),
        ("  o2: {bau: 1, hub: 2}", "  o2: {bau: 1.5, hub: 4, merge: 1}\n  o3: {bau: 1}"),
        ("  o1: {bau: 0, hub: 3}", "  o1: {bau: 0}"),
    )


@trigger
def appraisal_score_not_a_number(_: Path) -> object:
    return appraisal(("o1: {bau: 0, hub: 3}", "o1: {bau: 0, hub: three}"))


@trigger
def appraisal_options(_: Path) -> object:
    return appraisal(
        ("label: Merged team, shortlisted:", "label: Merged team, role: preferred, shortlisted:"),
        (
            "shortlist_reason: Baseline}",
            "shortlist_reason: Baseline,\n"
            "     risks: [{description: Demand grows, likelihood: 6, impact: 3, owner: Board}],\n"
            "     costs: [{year: 2025-26, capital: -1}]}",
        ),
    )


@trigger
def appraisal_scale_and_weights(_: Path) -> object:
    return appraisal(
        ("scale: {min: 0, max: 3, step: 1}", "scale: {min: -1, max: -2, step: 2}"),
        ("{id: o1, label: Access, weight: 60%}", "{id: o1, label: Access, weight: 160%, reason: Most important}"),
        ("{id: o2, label: Safety, weight: 40%}", "{id: o2, label: Safety, weight: 40%, not_applicable: true}"),
    )


@trigger
def appraisal_weights_missing_or_short(_: Path) -> object:
    second = "  - id: csf\n    label: Success factors\n    scale: {min: 0, max: 5}\n    criteria:\n"
    second += "      - {id: c1, label: Fit, weight: 0%}\n      - {id: c2, label: Value}\n"
    third = "  - id: empty\n    label: Empty\n    scale: {min: 0, max: 5}\n    criteria: []\n"
    third += "  - id: zero\n    label: Unweighted\n    scale: {min: 0, max: 5}\n    criteria:\n"
    third += "      - {id: z1, label: Reach, weight: 0%}\n"
    return appraisal(
        ("{id: o2, label: Safety, weight: 40%}", "{id: o2, label: Safety, weight: 30%}"),
        ("scores:\n", second + third + "scores:\n"),
    )


@trigger
def appraisal_group_weights(_: Path) -> object:
    return appraisal(
        ("programme: Integrated Point of Access\n", "programme: Integrated Point of Access\ncombination: weighted\n"),
        ("    label: Objectives\n", "    label: Objectives\n    weight: 0%\n"),
    )


@trigger
def appraisal_group_weight_without_weighting(_: Path) -> object:
    second = "  - id: csf\n    label: Success factors\n    scale: {min: 0, max: 5}\n    criteria:\n"
    second += "      - {id: c1, label: Fit, weight: 100%}\n"
    return appraisal(
        ("    label: Objectives\n", "    label: Objectives\n    weight: 50%\n"),
        ("scores:\n", second + "scores:\n"),
        ("  o2: {bau: 1, hub: 2}", "  o2: {bau: 1, hub: 2}\n  c1: {bau: 1, hub: 2}"),
    )


@trigger
def appraisal_weighted_without_group_weight(_: Path) -> object:
    return appraisal(
        ("programme: Integrated Point of Access\n", "programme: Integrated Point of Access\ncombination: weighted\n"),
    )


@trigger
def appraisal_group_weights_sum(_: Path) -> object:
    return appraisal(
        ("programme: Integrated Point of Access\n", "programme: Integrated Point of Access\ncombination: weighted\n"),
        ("    label: Objectives\n", "    label: Objectives\n    weight: 90%\n"),
    )


@trigger
def appraisal_share_not_a_share(_: Path) -> object:
    return appraisal(("weight: 60%", "weight: sixty"))


@trigger
def appraisal_no_scores(_: Path) -> object:
    return appraisal(text=APPRAISAL.split("scores:\n", maxsplit=1)[0])


@trigger
def appraisal_scores_and_scorers(_: Path) -> object:
    scorers = "scorers:\n  aggregation: mean\n  disagreement_limit: -1\n  sheets: []\n"
    return appraisal(text=APPRAISAL + scorers)


@trigger
def appraisal_sensitivity(_: Path) -> object:
    return appraisal(text=APPRAISAL + "sensitivity: {band: 100%, samples: 2000000, robust_share: 120%}\n")


TABLE = """\
published:
  source: OBC table 3
  weights: {o1: "60%"}
  rows:
    o1: {bau: "0.00", hub: "1.80%"}
    o9: {bau: "0.00"}
  subtotals:
    obj: {bau: "0.40", hub: "2.60"}
  totals: {bau: "0.40", hub: "2.60"}
  ranks: {bau: "2"}
"""
SECOND_GROUP = """\
  - id: csf
    label: Success factors
    scale: {min: 0, max: 5}
    criteria:
      - {id: c1, label: Fit, weight: 100%}
"""


@trigger
def appraisal_published_table(_: Path) -> object:
    head = APPRAISAL.split("scores:\n", maxsplit=1)[0]
    return appraisal(text=head + SECOND_GROUP + TABLE)


@trigger
def appraisal_published_figures_malformed(_: Path) -> object:
    table = TABLE.replace('totals: {bau: "0.40", hub: "2.60"}', 'totals: {bau: "about 0.4", hub: 2.6}')
    table = table.replace('ranks: {bau: "2"}', 'ranks: {bau: "0", hub: "=1="}')
    return appraisal(text=APPRAISAL.split("scores:\n", maxsplit=1)[0] + table)


# --- The checks ----------------------------------------------------------------------------------------------------


def _run(function: Callable[[Path], object], folder: Path) -> tuple[str, ...] | str:
    """The problem messages of the LoadError a trigger raises, or what went wrong instead."""
    try:
        function(folder)
    except sgassure.LoadError as exc:
        return tuple(p.message for p in exc.problems)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        return f"raised {type(exc).__name__}: {exc}"
    return "loaded without a problem"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, ...] | str]:
    """What each trigger makes sgassure print, by trigger name."""
    return {f.__name__: _run(f, tmp_path_factory.mktemp(f.__name__)) for f in TRIGGERS}


@pytest.fixture(scope="module")
def all_printed(printed: dict[str, tuple[str, ...] | str]) -> set[str]:
    """Every message the triggers print."""
    return {m for messages in printed.values() if isinstance(messages, tuple) for m in messages}


MESSAGES = page_messages(PAGE.read_text(encoding="utf-8"))
TEMPLATES = templates()


def test_the_page_lists_messages() -> None:
    """The page's tables are read: it lists well over a hundred messages."""
    assert len(set(MESSAGES)) > 150


@pytest.mark.parametrize("name", [f.__name__ for f in TRIGGERS])
def test_each_bad_input_is_refused_with_a_load_error(name: str, printed: dict[str, tuple[str, ...] | str]) -> None:
    """Every bad input of the registry makes sgassure raise a LoadError, and the page shows what it prints."""
    messages = printed[name]
    assert isinstance(messages, tuple), messages
    assert set(messages) & set(MESSAGES), f"{name} prints nothing the page shows: {messages}"


@pytest.mark.parametrize("message", sorted(set(MESSAGES)))
def test_the_page_shows_what_sgassure_prints(message: str, all_printed: set[str]) -> None:
    """Each message on the page is exactly what sgassure prints for a real bad input."""
    close = difflib.get_close_matches(message, sorted(all_printed), n=3, cutoff=0.5)
    assert message in all_printed, f"no bad input prints this message; the closest printed: {close}"


@pytest.mark.parametrize("parts", sorted(TEMPLATES, key=TEMPLATES.__getitem__), ids=TEMPLATES.__getitem__)
def test_every_message_of_the_loaders_is_on_the_page(parts: Parts) -> None:
    """Each message template in the loaders' source has an example on the page."""
    pattern = template_regex(parts)
    assert any(pattern.fullmatch(m) for m in MESSAGES), f"not on docs/errors.md: {template_text(parts)}"


def test_templates_are_found_in_the_loaders() -> None:
    """The collector reads the loaders: messages from each kind of call and expanded local names are there."""
    texts = {template_text(p) for p in TEMPLATES}
    assert {
        "required field missing",  # Problem(message=...)
        "duplicate key {} (first written at line {}, column {})",  # _Builder.fail
        "unknown {} {}{hint}",  # Checker.add
        "contradictory bounds: a value cannot both equal and differ from {}",  # a local name, expanded
        "the return is for agency {}, but is read as agency {}",  # one name, one value throughout
        "expected a pseudonymous case reference like 'CFA-24-017' (the value is not shown: it may identify someone)",
    } <= texts
    assert "the return is for agency {}, but is read as cycle {}" not in texts


EXAMPLE = (
    "returns/s11-2024/fen-police.yaml:10:12: ratings[0].level: expected one of 'fully', 'mostly', 'partly', "
    "'not'; got 'partial'; did you mean 'partly'?"
)


def test_the_pages_whole_line_is_what_the_command_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The page's example line is what ``sgassure check`` prints on standard error, and it exits 2."""
    root = tmp_path / "ws"
    with pytest.raises(sgassure.LoadError):
        workspace(tmp_path, a_return("level: mostly", "level: partial"))
    assert cli.main(["check", str(root)]) == 2
    assert capsys.readouterr().err == f"sgassure: cannot load {root}:\n{EXAMPLE}\n"
    assert f"```text\n{EXAMPLE}\n```" in PAGE.read_text(encoding="utf-8")
