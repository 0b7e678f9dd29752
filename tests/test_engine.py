"""The private durable-rules session (sgassure._engine): matching, isolation, error translation and resources."""

from __future__ import annotations

import copy
import gc
import json
import random
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from sgassure._engine import Match, Session, engine_id_hashes
from sgassure.errors import RuleActionError, RulesEngineError

SRC = str(Path(__file__).resolve().parents[1] / "src")

GAP = {"gap": {"all": [{"m": {"$and": [{"kind": "assessment"}, {"status": "not"}]}}]}}

AGAIN = {
    "again": {
        "all": [
            {"first": {"kind": "finding"}},
            {
                "second": {
                    "$and": [
                        {"kind": "finding"},
                        {"agency": {"first": "agency"}},
                        {"$or": [{"$gt": {"cycle": {"first": "cycle"}}}]},
                    ]
                }
            },
        ]
    }
}

UNPLANNED = {
    "unplanned": {
        "all": [
            {"f": {"kind": "finding"}},
            {"p$not": {"$and": [{"kind": "plan"}, {"agency": {"f": "agency"}}]}},
        ]
    }
}


READS_NESTED = {"r": {"all": [{"m": {"$and": [{"kind": "wide"}, {"n.k0": 0}]}}]}}


def ordered(matches: Sequence[Match]) -> list[Match]:
    """Matches sorted by rule, then by the ids of their facts per alias (firing order is not part of the API)."""
    return sorted(matches, key=lambda m: (m.rule, sorted((alias, f["id"]) for alias, f in m.facts.items())))


def finding(fid: str, agency: str, cycle: int) -> dict[str, Any]:
    return {"id": fid, "kind": "finding", "agency": agency, "cycle": cycle}


def later_pairs(facts: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The (first, second) id pairs the AGAIN rule should find, computed in Python."""
    return [(a["id"], b["id"]) for a in facts for b in facts if a["agency"] == b["agency"] and b["cycle"] > a["cycle"]]


def test_equality_rule_fires_once_per_matching_fact_and_unmatched_facts_are_accepted() -> None:
    """A one-pattern equality rule fires for each matching fact, and facts no rule matches are accepted silently."""
    facts = [
        {"id": "a1", "kind": "assessment", "status": "not", "score": 10},
        {"id": "a2", "kind": "assessment", "status": "fully", "score": 90},
        {"id": "a3", "kind": "assessment", "status": "not", "score": 0.5},
        {"id": "p1", "kind": "plan", "agency": "A"},
    ]
    with Session(GAP) as session:
        matches = session.assert_facts(facts)
        only_unmatched = session.assert_facts([{"id": "p2", "kind": "plan", "agency": "B"}])
    assert ordered(matches) == [
        Match(rule="gap", facts={"m": {"id": "a1", "kind": "assessment", "status": "not", "score": 10}}),
        Match(rule="gap", facts={"m": {"id": "a3", "kind": "assessment", "status": "not", "score": 0.5}}),
    ]
    assert only_unmatched == []


def test_join_with_equality_reference_and_wrapped_greater_than_gives_the_right_pairs() -> None:
    """An equality join plus a $or-wrapped non-equality comparison with another fact pairs exactly the later cycles."""
    facts = [
        finding("f1", "A", 2023),
        finding("f2", "A", 2024),
        finding("f3", "B", 2023),
        finding("f4", "B", 2023),
        finding("f5", "A", 2025),
    ]
    by_id = {f["id"]: f for f in facts}
    with Session(AGAIN) as session:
        matches = session.assert_facts(facts)
    assert ordered(matches) == [
        Match(rule="again", facts={"first": by_id[a], "second": by_id[b]})
        for a, b in [("f1", "f2"), ("f1", "f5"), ("f2", "f5")]
    ]


def test_negation_holds_when_the_negated_facts_were_asserted_in_an_earlier_call() -> None:
    """A rule with an 'alias$not' pattern fires only for findings whose agency has no plan asserted before them."""
    with Session(UNPLANNED) as session:
        first = session.assert_facts([{"id": "p-a", "kind": "plan", "agency": "A"}])
        second = session.assert_facts([finding("f-a", "A", 2024), finding("f-b", "B", 2024)])
    assert first == []
    assert second == [Match(rule="unplanned", facts={"f": finding("f-b", "B", 2024)})]


def test_any_rule_reports_only_the_alias_that_matched() -> None:
    """An 'any' rule's match holds the fact of the alternative that fired and no other alias."""
    rules = {"either": {"any": [{"x": {"kind": "x"}}, {"y": {"kind": "y"}}]}}
    with Session(rules) as session:
        matches = session.assert_facts([{"id": "1", "kind": "y"}])
    assert matches == [Match(rule="either", facts={"y": {"id": "1", "kind": "y"}})]


def test_aliases_named_like_closure_attributes_are_read_from_the_match() -> None:
    """Aliases such as 's' and 'host', which are attributes of durable's Closure, still give the matched facts."""
    rules = {"pair": {"all": [{"s": {"kind": "a"}}, {"host": {"$and": [{"kind": "b"}, {"v": {"s": "v"}}]}}]}}
    with Session(rules) as session:
        matches = session.assert_facts([{"id": "1", "kind": "a", "v": 3}, {"id": "2", "kind": "b", "v": 3}])
    assert matches == [
        Match(rule="pair", facts={"s": {"id": "1", "kind": "a", "v": 3}, "host": {"id": "2", "kind": "b", "v": 3}})
    ]


def test_forward_chaining_asserts_derived_facts_that_fire_other_rules() -> None:
    """Facts returned by on_match are asserted into the same session, where they fire a second rule."""
    rules = {
        **GAP,
        "escalate": {"all": [{"f": {"$and": [{"kind": "finding"}, {"severity": "high"}]}}]},
    }

    def on_match(match: Match) -> list[dict[str, Any]]:
        if match.rule != "gap":
            return []
        m = match.facts["m"]
        return [{"id": f"finding:{m['id']}", "kind": "finding", "severity": m["severity"]}]

    facts = [
        {"id": "a1", "kind": "assessment", "status": "not", "severity": "high"},
        {"id": "a2", "kind": "assessment", "status": "not", "severity": "low"},
    ]
    with Session(rules, on_match=on_match) as session:
        matches = session.assert_facts(facts)
    assert ordered(matches) == [
        Match(rule="escalate", facts={"f": {"id": "finding:a1", "kind": "finding", "severity": "high"}}),
        Match(rule="gap", facts={"m": facts[0]}),
        Match(rule="gap", facts={"m": facts[1]}),
    ]


def test_on_match_error_becomes_rule_action_error_naming_the_rule() -> None:
    """A ValueError raised by on_match surfaces as RuleActionError naming the rule, caused by that ValueError."""
    problem = ValueError("no such agency")

    def on_match(match: Match) -> list[dict[str, Any]]:
        raise problem

    with Session(GAP, on_match=on_match) as session:
        with pytest.raises(RuleActionError) as caught:
            session.assert_facts([{"id": "a1", "kind": "assessment", "status": "not"}])
        assert str(caught.value) == "rule 'gap': ValueError: no such agency"
        assert caught.value.__cause__ is problem
        with pytest.raises(RulesEngineError) as again:
            session.assert_facts([{"id": "a2", "kind": "assessment", "status": "not"}])
    assert str(again.value) == (
        "the rules engine session failed earlier and cannot take more facts "
        "(RuleActionError: rule 'gap': ValueError: no such agency)"
    )


def test_invalid_derived_fact_becomes_rule_action_error() -> None:
    """A derived fact without an id is blamed on the rule whose on_match returned it."""
    with (
        Session(GAP, on_match=lambda match: [{"kind": "finding"}]) as session,
        pytest.raises(RuleActionError) as caught,
    ):
        session.assert_facts([{"id": "a1", "kind": "assessment", "status": "not"}])
    assert str(caught.value) == (
        "rule 'gap': RulesEngineError: fact 0 returned for rule 'gap': "
        "every fact needs a non-empty string 'id'; got None"
    )
    assert isinstance(caught.value.__cause__, RulesEngineError)


def test_sessions_are_isolated_repeatable_and_leave_the_definition_alone() -> None:
    """Two sessions of one definition used interleaved see only their own facts; a rerun matches identically."""
    rules = {**AGAIN, **UNPLANNED}
    pristine = copy.deepcopy(rules)
    one, two = Session(rules), Session(rules)
    try:
        assert one.assert_facts([{"id": "p-a", "kind": "plan", "agency": "A"}]) == []
        assert two.assert_facts([finding("f1", "A", 2023)]) == [
            Match(rule="unplanned", facts={"f": finding("f1", "A", 2023)})
        ]
        assert one.assert_facts([finding("f2", "A", 2024)]) == []
        assert two.assert_facts([finding("f3", "B", 2023)]) == [
            Match(rule="unplanned", facts={"f": finding("f3", "B", 2023)})
        ]
    finally:
        one.close()
        two.close()
    assert rules == pristine

    facts = [finding(f"f{i}", "AB"[i % 2], 2020 + i % 4) for i in range(40)]

    def run() -> list[Match]:
        with Session(rules) as session:
            return session.assert_facts(facts)

    first, second = run(), run()
    assert first == second
    assert len(first) == len(facts) + len(later_pairs(facts))
    assert rules == pristine


def test_fnv_colliding_ids_are_both_stored_and_keep_their_ids() -> None:
    """Ids 'f-562789' and 'f-779192' share an FNV-1a-32 hash; both facts fire and matches show the original ids."""
    assert engine_id_hashes("f-562789") == engine_id_hashes("f-779192") == {0x2199BA4B}
    facts = [
        {"id": "f-562789", "kind": "finding", "agency": "A", "cycle": 1},
        {"id": "f-779192", "kind": "finding", "agency": "A", "cycle": 2},
        # the id the session gives the second fact inside the engine is free for a caller to use
        {"id": "f-779192#1", "kind": "finding", "agency": "B", "cycle": 1},
    ]
    rules = {"seen": {"all": [{"m": {"kind": "finding"}}]}, **AGAIN}
    with Session(rules) as session:
        matches = session.assert_facts(facts)
    assert ordered(matches) == [
        Match(rule="again", facts={"first": facts[0], "second": facts[1]}),
        *(Match(rule="seen", facts={"m": f}) for f in facts),
    ]


def test_the_engine_itself_refuses_colliding_ids() -> None:
    """Without the session's rewrite the engine reports the second colliding id as already observed (code 2)."""
    import durable_rules_engine as dre

    handle = dre.create_ruleset("collide", json.dumps({"r": {"all": [{"m": {"kind": "k"}}]}}))
    try:
        results = [dre.assert_facts(handle, json.dumps([{"id": i, "kind": "k"}])) for i in ("f-562789", "f-779192")]
        # run the pending action so that delete_state meets an initialised state (see sgassure._engine)
        state = results[0][1]
        dre.start_action_for_state(handle, state)
        dre.complete_and_start_action(handle, state)
    finally:
        dre.delete_state(handle, "0")
        dre.delete_ruleset(handle)
    assert [code for code, _ in results] == [0, 2]


def test_duplicate_id_is_refused_and_the_rejected_batch_asserts_nothing() -> None:
    """Asserting an id twice raises RulesEngineError before anything of that call reaches the engine."""
    fact = {"id": "a1", "kind": "assessment", "status": "not"}
    with Session(GAP) as session:
        assert session.assert_facts([fact]) == [Match(rule="gap", facts={"m": fact})]
        other = {"id": "a2", "kind": "assessment", "status": "not"}
        with pytest.raises(RulesEngineError) as caught:
            session.assert_facts([other, fact])
        assert str(caught.value) == "fact 1 (id 'a1'): a fact with this id was already asserted in this session"
        assert session.assert_facts([other]) == [Match(rule="gap", facts={"m": other})]
        with pytest.raises(RulesEngineError) as within:
            session.assert_facts([{**other, "id": "a3"}, {**other, "id": "a3"}])
    assert str(within.value) == "fact 1 (id 'a3'): a fact with this id was already asserted in this session"


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ({"kind": "x"}, "fact 0: every fact needs a non-empty string 'id'; got None"),
        ({"id": 7, "kind": "x"}, "fact 0: every fact needs a non-empty string 'id'; got 7"),
        ({"id": "a"}, "fact 0 (id 'a'): every fact needs a string 'kind'; got None"),
        (
            {"id": "a", "kind": "x", "sid": "1"},
            "fact 0 (id 'a'): the key 'sid' is reserved: 'sid' selects the engine's state partition",
        ),
        (
            {"id": "a", "kind": "x", "v": float("nan")},
            "fact 0 (id 'a'): cannot be given to the engine: Out of range float values are not JSON compliant",
        ),
        (
            {"id": "a", "kind": "x", "v": {1, 2}},
            "fact 0 (id 'a'): cannot be given to the engine: set is not JSON serialisable",
        ),
    ],
)
def test_invalid_facts_are_refused(fact: dict[str, Any], message: str) -> None:
    """Facts without a string id or kind, with a reserved key or with a value JSON cannot carry (read by a rule)."""
    reads_v = {"has_v": {"all": [{"m": {"$and": [{"kind": "x"}, {"$ex": {"v": 1}}]}}]}}
    with Session({**GAP, **reads_v}) as session, pytest.raises(RulesEngineError) as caught:
        session.assert_facts([fact])
    # Python 3.12+ appends ": nan" to json's message for NaN
    assert str(caught.value).removesuffix(": nan") == message


def test_the_engine_sees_only_the_keys_rules_read_and_matches_return_the_callers_fact() -> None:
    """Keys no rule reads never reach the engine (a set or NaN there is harmless); the match is the caller's object."""
    fact = {"id": "a1", "kind": "assessment", "status": "not", "notes": {1, 2}, "score": float("nan")}
    with Session(GAP) as session:
        (match,) = session.assert_facts([fact])
    assert match.facts["m"] is fact


@pytest.mark.parametrize("position", [0, 1])
def test_engine_error_code_at_assert_is_translated_and_names_the_fact(position: int) -> None:
    """A fact with 254 properties, which the batch call would drop silently, fails as error 302 naming the fact.

    The rule reads ``n.k0``, so the whole of ``n`` reaches the engine; ``n`` and each of its keys count.
    """
    wide = {"id": "w1", "kind": "wide", "n": {f"k{i}": i for i in range(251)}}  # id, kind, n and n's 251
    facts = [{"id": "n1", "kind": "wide", "n": {"k0": 0}}]
    facts.insert(position, wide)
    with Session(READS_NESTED) as session:
        with pytest.raises(RulesEngineError) as caught:
            session.assert_facts(facts)
        assert str(caught.value) == (
            "durable-rules could not assert the fact 'w1' (it and the facts after it were dropped): "
            "error code 302 (EVENT_MAX_PROPERTIES): a fact has more than 253 properties (nested properties count)"
        )
        assert type(caught.value) is RulesEngineError


def test_widest_fact_the_engine_reads_is_matched() -> None:
    """A fact with 253 properties, the engine's limit, is stored and fires."""
    wide = {"id": "w1", "kind": "wide", "n": {f"k{i}": i for i in range(250)}}  # id, kind, n and n's 250
    with Session(READS_NESTED) as session:
        assert session.assert_facts([wide]) == [Match(rule="r", facts={"m": wide})]


def test_engine_error_code_at_creation_names_the_rule() -> None:
    """An operator the engine does not know fails ruleset creation as error 202, naming the rule."""
    rules = {**GAP, "typo": {"all": [{"m": {"$and": [{"kind": "assessment"}, {"$gtt": {"score": 3}}]}}]}}
    with pytest.raises(RulesEngineError) as caught:
        Session(rules)
    assert str(caught.value) == (
        "durable-rules could not create the ruleset (rule 'typo'): error code 202 (PARSE_STRING): "
        "JSON the engine cannot parse: a string (also an unknown operator such as '$gtt')"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"all": [{"m": {"$nex": {"x": 1}}}]},
            "rule 'r', all[0]: the pattern 'm' has no positive 'kind' equality; "
            "without one it can match the engine's state fact and fire forever",
        ),
        (
            {"all": [{"m": {"kind": "a"}}, {"n$not": {"$nex": {"x": 1}}}]},
            "rule 'r', all[1]: the pattern 'n$not' has no positive 'kind' equality; "
            "without one it can match the engine's state fact and fire forever",
        ),
        (
            {"all": [{"m": {"kind": "a"}}], "run": "mine"},
            "rule 'r': 'run' is not accepted: the session binds each rule's action itself",
        ),
        (
            {"all": [{"m": {"kind": "a"}}], "count": 3},
            "rule 'r': 'count' is not accepted: batched matches ('count') are not supported",
        ),
        (
            {"all": [{"m": {"kind": "a"}}], "cap": 3},
            "rule 'r': 'cap' is not accepted: batched matches ('cap') are not supported",
        ),
        (
            {"all": [{"a": {"kind": "a"}}, {"b": {"$and": [{"kind": "b"}, {"$gt": {"n": {"a": "n"}}}]}}]},
            "rule 'r', all[1]: comparisons with another fact other than equality must sit inside '$or' "
            "(the engine reads uninitialised memory otherwise, #381): $gt on 'n'",
        ),
        (
            {"all": [{"m$all": [{"kind": "a"}]}]},
            "rule 'r', all[0]: nested sequences ('m$all') are not supported",
        ),
        (
            {"all": [{"m": {"$and": [{"kind": "a"}, {"$lt": {"x": 1e-7}}]}}]},
            "rule 'r': the number 1e-07 cannot be given to the engine "
            "(non-finite, or an exponent without a fraction, which its JSON parser rejects)",
        ),
        (
            {"all": [{"m": {"$and": [{"kind": "a"}, {"x": {"m": "x"}}]}}]},
            "rule 'r', all[0]: the pattern 'm' refers to 'm', which is not a positive alias bound in an earlier "
            "pattern (none); the engine would silently drop the condition or never match",
        ),
        (
            {"all": [{"a": {"$and": [{"kind": "a"}, {"x": {"b": "x"}}]}}, {"b": {"kind": "b"}}]},
            "rule 'r', all[0]: the pattern 'a' refers to 'b', which is not a positive alias bound in an earlier "
            "pattern (none); the engine would silently drop the condition or never match",
        ),
        (
            {"all": [{"a": {"kind": "a"}}, {"b": {"$and": [{"kind": "b"}, {"$or": [{"$gt": {"x": {"c": "x"}}}]}]}}]},
            "rule 'r', all[1]: the pattern 'b' refers to 'c', which is not a positive alias bound in an earlier "
            "pattern ('a'); the engine would silently drop the condition or never match",
        ),
        (
            {"any": [{"a": {"kind": "a"}}, {"b": {"$and": [{"kind": "b"}, {"x": {"a": "x"}}]}}]},
            "rule 'r', any[1]: the pattern 'b' refers to 'a', which is not a positive alias bound in an earlier "
            "pattern (none); the engine would silently drop the condition or never match",
        ),
        ({"all": []}, "rule 'r': 'all' must be a non-empty list of patterns"),
        ({"pri": 1}, "rule 'r': expected exactly one of 'all' and 'any'"),
    ],
)
def test_rules_the_engine_mishandles_are_refused(rule: dict[str, Any], message: str) -> None:
    """Rules that loop, crash, or need what the session does not support are refused at construction."""
    threads = threading.active_count()
    with pytest.raises(RulesEngineError) as caught:
        Session({"r": rule})
    assert str(caught.value) == message
    assert threading.active_count() == threads


def test_floats_with_bare_exponents_reach_the_engine_intact() -> None:
    """Floats Python writes as 1e-07 or 1e+300, which the engine's parser cannot read as such, match and round-trip."""
    facts = [
        {"id": "tiny", "kind": "reading", "value": 1e-7, "text": "1e-07 stays text"},
        {"id": "huge", "kind": "reading", "value": 1e300, "nested": {"values": [2.5e16, 1e16]}},
    ]
    rules = {"small": {"all": [{"m": {"$and": [{"kind": "reading"}, {"$lt": {"value": 0.001}}]}}]}}
    with Session({**rules, "any_reading": {"all": [{"m": {"kind": "reading"}}]}}) as session:
        matches = session.assert_facts(facts)
    assert ordered(matches) == [
        Match(rule="any_reading", facts={"m": facts[1]}),
        Match(rule="any_reading", facts={"m": facts[0]}),
        Match(rule="small", facts={"m": facts[0]}),
    ]


def test_chunking_does_not_change_the_matches() -> None:
    """Asserting in chunks of 3 gives the same matches as one batch."""
    facts = [finding(f"f{i}", "ABC"[i % 3], 2020 + i % 5) for i in range(30)]
    results = []
    for size in (3, 1000):
        with Session({**AGAIN, **UNPLANNED}, chunk_size=size) as session:
            results.append(ordered(session.assert_facts(facts)))
    assert results[0] == results[1]
    assert len(results[0]) == len(facts) + len(later_pairs(facts))


def test_warnings_from_durable_are_ignored_but_not_those_of_on_match() -> None:
    """Under warnings-as-errors, durable's DeprecationWarning is ignored while one raised by on_match still fails."""

    def on_match(match: Match) -> list[dict[str, Any]]:
        warnings.warn("caller code is deprecated", DeprecationWarning, stacklevel=1)
        return []

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with Session(GAP) as session:
            assert len(session.assert_facts([{"id": "a1", "kind": "assessment", "status": "not"}])) == 1
        with Session(GAP, on_match=on_match) as session, pytest.raises(RuleActionError) as caught:
            session.assert_facts([{"id": "a1", "kind": "assessment", "status": "not"}])
    assert str(caught.value) == "rule 'gap': DeprecationWarning: caller code is deprecated"


def test_close_twice_is_fine_and_a_closed_session_refuses_facts() -> None:
    """Closing a session again does nothing, and asserting into a closed session raises RulesEngineError."""
    session = Session(GAP)
    session.close()
    session.close()
    with pytest.raises(RulesEngineError) as caught:
        session.assert_facts([{"id": "a1", "kind": "assessment", "status": "not"}])
    assert str(caught.value) == "the rules engine session is closed"


def test_an_unclosed_session_is_released_when_collected() -> None:
    """A session dropped without close() frees its engine ruleset when garbage collected."""
    import durable_rules_engine as dre

    session = Session(GAP)
    session.assert_facts([{"id": "a1", "kind": "assessment", "status": "not"}])
    box = session._handle
    handle = box.value
    del session
    gc.collect()
    assert box.value == 0
    with pytest.raises(dre.error, match="error code: 111"):
        dre.get_state(handle, "0")


def test_importing_the_module_does_not_import_durable() -> None:
    """sgassure._engine imports durable-rules only when a session is created."""
    code = "import sys, sgassure._engine; print(sorted(m for m in sys.modules if m.startswith('durable')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": SRC}
    )
    assert out.stdout == "[]\n"


def test_sessions_without_matches_close_safely_on_a_used_heap() -> None:
    """Sessions whose facts fire no rule close without freeing uninitialised memory, even after heavy allocation."""
    code = textwrap.dedent(
        """
        from sgassure._engine import Session
        junk = {str(i): [i] * 3 for i in range(200_000)}
        for n in range(50):
            with Session({"r": {"all": [{"m": {"kind": "k"}}]}}) as session:
                assert session.assert_facts([{"id": f"x{n}", "kind": "other"}]) == []
            junk[str(n)] = list(range(n))
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": SRC}, check=False
    )
    assert (out.returncode, out.stdout) == (0, "ok\n")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _audit_rules() -> dict[str, Mapping[str, Any]]:
    rules: dict[str, Mapping[str, Any]] = {}
    for section in range(1, 11):
        rules[f"weak-{section}"] = {
            "all": [
                {
                    "m": {
                        "$and": [
                            {"kind": "assessment"},
                            {"section": section},
                            {"std": 1},
                            {"$or": [{"status": "partly"}, {"status": "not"}]},
                        ]
                    }
                }
            ]
        }
        rules[f"low-{section}"] = {
            "all": [{"m": {"$and": [{"kind": "assessment"}, {"section": section}, {"std": 2}, {"$lt": {"score": 40}}]}}]
        }
    return rules


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to read resident memory")
def test_many_sessions_leave_no_threads_and_bounded_memory() -> None:
    """300 sessions of ~1 000 facts and 20 rules each leave no threads behind and grow resident memory by < 30 MB."""
    rnd = random.Random(7)
    facts = [
        {
            "id": f"a{i}",
            "kind": "assessment",
            "section": rnd.randint(1, 12),
            "std": rnd.randint(1, 2),
            "status": rnd.choice(["fully", "mostly", "partly", "not"]),
            "score": rnd.randint(0, 100),
        }
        for i in range(1000)
    ]
    rules = _audit_rules()
    baseline_threads = threading.active_count()

    def one_session() -> int:
        with Session(rules) as session:
            fired = len(session.assert_facts(facts))
        assert threading.active_count() == baseline_threads
        return fired

    counts = {one_session() for _ in range(20)}
    gc.collect()
    before = _rss_mb()
    counts |= {one_session() for _ in range(300)}
    gc.collect()
    growth = _rss_mb() - before
    assert len(counts) == 1
    assert counts.pop() > 300
    assert growth < 30, f"resident memory grew by {growth:.1f} MB over 300 sessions"


def test_an_equality_join_after_an_or_still_joins() -> None:
    """The engine ignores an equality with another fact's field written after an $or; the session reorders it."""
    rules = {
        "r": {
            "all": [
                {"a": {"$and": [{"kind": "x"}]}},
                {"b": {"$and": [{"kind": "y"}, {"$or": [{"n": 1}, {"n": 2}]}, {"tag": {"a": "tag"}}]}},
            ]
        }
    }
    pristine = copy.deepcopy(rules)
    facts = [
        {"id": "a1", "kind": "x", "tag": "t"},
        {"id": "b1", "kind": "y", "n": 1, "tag": "other"},
        {"id": "b2", "kind": "y", "n": 2, "tag": "t"},
    ]
    with Session(rules) as session:
        matches = session.assert_facts(facts)
    assert matches == [Match(rule="r", facts={"a": facts[0], "b": facts[2]})]
    assert rules == pristine
