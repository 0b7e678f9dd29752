"""Splitting an audit into engine sessions by agency changes no finding, explanation or escalation.

``run_audit`` runs one engine session per group of agencies when the compiler
proves every match lies within one agency's facts (``Compiled.partition_key``).
These tests run the same audits split every way, from one agency per session
to a single session for everything, and compare the JSON byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from unittest import mock

import attrs
import pytest

import sgassure
from sgassure import _evaluate, audit
from sgassure._compile import Compiled, compile_packs
from sgassure.errors import RulesEngineError
from sgassure.report import audit_to_json
from sgassure.rules import RulePack, bundled_rule_packs, parse_rule_pack
from sgassure.workspace import Workspace

sys.path.insert(0, str(Path(__file__).parent))  # the tests import with --import-mode=importlib
from test_reference import CHAIN_PACK as CHAIN_AT_4

CHAIN_PACK = CHAIN_AT_4.replace("at_least: 4", "at_least: 2")  # so that the example's agencies are counted
assert CHAIN_PACK != CHAIN_AT_4

AS_OF = dt.date(2025, 9, 30)

# Counts over findings that have no agency (KPI findings; findings whose subject is a requirement only),
# made in many sessions and counted in the last one. CHAIN_PACK adds chains and a count keyed on agency.
SPLIT_PACK = """\
version: 1
id: split
title: Rules whose matches cross the sessions of a split run
rules:
  - id: split.requirement-below
    title: A requirement rated below the threshold somewhere (subject without agency)
    severity: low
    source: test
    when:
      all:
        - fact: rating
          as: r
          where: {latest: true, level: {below: threshold}}
    then:
      finding:
        subject: [r.requirement]
        message: "{r.requirement} is below the threshold somewhere"
  - id: split.requirements-counted
    title: Requirements below the threshold anywhere, counted without an agency
    severity: info
    source: test
    when:
      count:
        fact: finding
        as: g
        where: {rule: split.requirement-below}
        by: [agency]
        at_least: 2
    then:
      finding:
        message: "{g.count} requirements are below the threshold somewhere"
  - id: split.kpi-counted
    title: KPI findings, counted without an agency
    severity: info
    source: test
    when:
      count:
        fact: finding
        as: g
        where: {pack: kpi}
        by: [agency]
        at_least: 1
    then:
      finding:
        message: "{g.count} KPI findings"
"""

BY_CYCLE_PACK = """\
version: 1
id: by-cycle
title: A join that is not keyed on agency
rules:
  - id: by-cycle.action-elsewhere
    title: An action in the same cycle as a rating below the threshold, by any agency
    severity: info
    source: test
    when:
      all:
        - fact: rating
          as: r
          where: {latest: true, level: {below: threshold}}
        - fact: action
          as: a
          where: {cycle: $r.cycle, requirement: $r.requirement}
    then:
      finding:
        subject: [a.agency, r.requirement]
        message: "{a.agency} plans {a.action} on {r.requirement}, below the threshold at {r.agency}"
"""


def _packs(*extra: str) -> tuple[RulePack, ...]:
    return (*bundled_rule_packs(), *(parse_rule_pack(text, source=f"<pack {i}>") for i, text in enumerate(extra)))


def _compiled(ws: Workspace, packs: Sequence[RulePack]) -> Compiled:
    return compile_packs(packs, ws.frameworks, ws.partnership, AS_OF)


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return sgassure.load_workspace(sgassure.example_workspace_path())


def _audit_json(ws: Workspace, packs: Sequence[RulePack], split: int | None) -> str:
    """The audit as JSON text, with sessions of about ``split`` facts, or in one session if None."""
    original = audit.compile_packs

    def unsplit(*args: object, **kwargs: object) -> Compiled:
        return attrs.evolve(original(*args, **kwargs), partition_key=None)  # type: ignore[arg-type]

    with (
        mock.patch.object(_evaluate, "PARTITION_FACTS", split or 1),
        mock.patch.object(audit, "compile_packs", unsplit if split is None else original),
    ):
        result = audit.run_audit(ws, packs, as_of=AS_OF)
    return json.dumps(audit_to_json(result), sort_keys=True, indent=1)


def _sessions(ws: Workspace, packs: Sequence[RulePack], split: int) -> Iterator[int]:
    """The number of facts each engine session of a split run takes."""
    run = audit._Run(_compiled(ws, packs), AS_OF, mask=True)
    with mock.patch.object(_evaluate, "PARTITION_FACTS", split):
        for _, by_kind in run.partitions(sgassure._facts.build_facts(ws, AS_OF)):
            yield sum(map(len, by_kind.values()))


def test_the_bundled_packs_split_by_agency(ws: Workspace) -> None:
    """Every join, absence and count of the bundled packs is keyed on agency, so their runs split."""
    assert _compiled(ws, _packs()).partition_key == "agency"
    assert _compiled(ws, _packs(CHAIN_PACK, SPLIT_PACK)).partition_key == "agency"


def test_a_join_on_another_key_or_a_count_by_another_key_keeps_one_session(ws: Workspace) -> None:
    """A join not keyed on agency, or a count not grouped by agency, makes the run one session."""
    assert _compiled(ws, _packs(BY_CYCLE_PACK)).partition_key is None
    by_cycle_count = CHAIN_PACK.replace("by: [agency]", "by: [cycle]").replace("{g.agency} has", "{g.cycle} has")
    assert by_cycle_count != CHAIN_PACK
    assert _compiled(ws, _packs(by_cycle_count)).partition_key is None


@pytest.mark.parametrize("split", [1, 700], ids=["one agency per session", "about 700 facts per session"])
def test_a_split_run_gives_the_same_audit_as_one_session(ws: Workspace, split: int) -> None:
    """Findings, explanations and escalations are byte-identical however the run is split."""
    packs = _packs(CHAIN_PACK, SPLIT_PACK)
    whole = _audit_json(ws, packs, None)
    assert _audit_json(ws, packs, split) == whole
    fired = {f["rule"] for f in json.loads(whole)["findings"]}
    assert {
        "split.requirement-below",
        "split.requirements-counted",
        "split.kpi-counted",
        "chain.requirements-per-agency",
        "chain.after-count",
    } <= fired


def test_sessions_take_whole_agencies_and_the_facts_without_one_come_last(ws: Workspace) -> None:
    """One agency per session gives a session per agency with facts, plus one for the facts without an agency."""
    packs = _packs()
    run = audit._Run(_compiled(ws, packs), AS_OF, mask=True)
    with mock.patch.object(_evaluate, "PARTITION_FACTS", 1):
        parts = run.partitions(sgassure._facts.build_facts(ws, AS_OF))
    agencies = [agencies for agencies, _ in parts]
    assert agencies[-1] is None
    assert all(a is not None and len(a) == 1 for a in agencies[:-1])
    assert [next(iter(a)) for a in agencies[:-1] if a] == sorted(next(iter(a)) for a in agencies[:-1] if a)
    last = parts[-1][1]
    assert last
    assert all(f.get("agency") is None for facts in last.values() for f in facts)
    sizes = list(_sessions(ws, packs, 10**9))
    assert len(sizes) == 2  # every agency's facts in one session, then the facts without an agency


def test_a_run_that_cannot_split_still_agrees(ws: Workspace) -> None:
    """A pack with a join on cycle runs in one session and finds pairs across agencies."""
    packs = _packs(BY_CYCLE_PACK)
    result = json.loads(_audit_json(ws, packs, 1))
    pairs = [
        f["message"].split(" plans ")[0] + "|" + f["message"].rsplit(" at ", 1)[1]
        for f in result["findings"]
        if f["rule"] == "by-cycle.action-elsewhere"
    ]
    assert any(len(set(pair.split("|"))) == 2 for pair in pairs), "some pairs join two agencies"
    assert _audit_json(ws, packs, 1) == _audit_json(ws, packs, None)


def test_a_selection_in_the_wrong_session_is_an_internal_error(ws: Workspace) -> None:
    """Counts are made per session; a selected fact of an agency outside the session's agencies is refused."""
    packs = _packs(CHAIN_PACK, SPLIT_PACK)
    run = audit._Run(_compiled(ws, packs), AS_OF, mask=True)
    run.selected["chain/chain.requirements-per-agency#count"].append({"id": "x", "agency": "elsewhere"})
    with pytest.raises(RulesEngineError) as caught:
        run.groups(frozenset({"here"}))
    assert str(caught.value) == (
        "rule chain/chain.requirements-per-agency: a fact of agency 'elsewhere' was selected in another agency's "
        "engine session"
    )
