"""Every model type survives unstructure, YAML dump and strict parse unchanged."""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sgassure
from sgassure._convert import structure, structure_document, unstructure, unstructure_document
from sgassure._yaml import dump_yaml, parse_document

# Text as people type it, in any script; surrogates cannot be encoded at all.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)

DOCUMENT_TYPES = [
    sgassure.Partnership,
    sgassure.Framework,
    sgassure.AuditCycle,
    sgassure.SelfAssessment,
    sgassure.CaseFileAudit,
    sgassure.PractitionerAudit,
    sgassure.IndicatorSet,
    sgassure.PublishedFigures,
    sgassure.RulePack,
    sgassure.DecisionLog,
]


def _reachable(roots: list[type]) -> list[type]:
    """Every attrs class a file type holds, directly or nested: the types that are read from files."""
    seen: dict[type, None] = {}
    todo = list(roots)
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen[cls] = None
        attrs.resolve_types(cls)
        for field in attrs.fields(cls):
            stack = [field.type]
            while stack:
                tp = stack.pop()
                stack.extend(typing.get_args(tp))
                if isinstance(tp, type) and attrs.has(tp):
                    todo.append(tp)
    return sorted(seen, key=lambda c: c.__name__)


# The model types read from files; results (findings, reports, gap analyses) are never read back.
INPUT_TYPES = _reachable(DOCUMENT_TYPES)


def _register() -> None:
    st.register_type_strategy(str, TEXT)
    st.register_type_strategy(dt.date, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
    st.register_type_strategy(Decimal, st.decimals(allow_nan=False, allow_infinity=False, places=3))


_register()


SCALAR = st.one_of(TEXT, st.integers(-1000, 1000), st.booleans())
DATE_OPERAND = st.one_of(
    st.just("as_of"),
    st.dates(),
    st.builds(sgassure.DaysBefore, days=st.integers(0, 400)),
    st.builds(sgassure.DaysBefore, policy=TEXT, parameter=TEXT),
)
TESTS = st.builds(
    sgassure.Test,
    eq=st.none() | SCALAR,
    lt=st.none() | st.integers(),
    ge=st.none() | st.integers(),
    ne=st.none() | SCALAR,
    in_=st.none() | st.lists(SCALAR, min_size=1, max_size=3).map(tuple),
    matches=st.none() | TEXT,
    exists=st.none() | st.booleans(),
    below=st.none() | TEXT,
    before=st.none() | DATE_OPERAND,
    reading=st.none() | st.sampled_from(sgassure.Reading),
)
SPECIAL: dict[Any, st.SearchStrategy[Any]] = {
    sgassure.Test: TESTS,
    sgassure.DaysBefore: st.builds(sgassure.DaysBefore, days=st.integers(0, 400)),
}


def _for_type(tp: Any) -> st.SearchStrategy[Any]:
    if tp in SPECIAL:
        return SPECIAL[tp]
    if tp is Any:
        return SCALAR
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_for_type(a) for a in args))
    if origin is tuple:
        return st.lists(_for_type(args[0]), max_size=3).map(tuple)
    if origin is dict:
        return st.dictionaries(_for_type(args[0]), _for_type(args[1]), max_size=3)
    if isinstance(tp, type) and attrs.has(tp):
        return _strategy(tp)
    return st.from_type(tp)


def _strategy(cls: type) -> st.SearchStrategy[Any]:
    """Build attrs values field by field (annotations are strings until resolved)."""
    if cls in SPECIAL:
        return SPECIAL[cls]
    attrs.resolve_types(cls)
    return st.builds(cls, **{f.alias or f.name: st.deferred(lambda f=f: _for_type(f.type)) for f in attrs.fields(cls)})


def test_every_public_model_type_is_covered() -> None:
    """The round trip covers every public attrs class that is read from files."""
    assert len(INPUT_TYPES) >= 40
    assert set(DOCUMENT_TYPES) <= set(INPUT_TYPES)


@pytest.mark.parametrize("cls", INPUT_TYPES, ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_model_type_round_trips(cls: type, data: st.DataObject) -> None:
    """A generated value, unstructured and dumped as YAML, parses back equal."""
    value = data.draw(_strategy(cls))
    text = dump_yaml(unstructure(value))
    doc = parse_document(text, source="roundtrip.yaml")
    assert structure(doc.data, cls, doc) == value


@pytest.mark.parametrize("cls", DOCUMENT_TYPES, ids=lambda c: c.__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_document_round_trips_with_version(cls: type, data: st.DataObject) -> None:
    """A whole file's value round-trips with its `version: 1` header."""
    value = data.draw(_strategy(cls))
    text = dump_yaml(unstructure_document(value))
    assert text.startswith("version: 1\n")
    assert structure_document(parse_document(text), cls) == value


def test_bundled_rule_packs_round_trip() -> None:
    """Every bundled rule pack, unstructured and dumped, parses back equal."""
    for pack in sgassure.bundled_rule_packs():
        text = dump_yaml(unstructure_document(pack))
        assert sgassure.parse_rule_pack(text) == pack


def test_example_appraisal_round_trips() -> None:
    """The example option appraisal, unstructured and dumped, parses back equal (its shares keep their form)."""
    appraisal = sgassure.load_appraisal(sgassure.example_appraisal_path())
    text = dump_yaml(unstructure_document(appraisal))
    assert sgassure.parse_appraisal(text) == appraisal


def test_example_workspace_round_trips(example_ws: sgassure.Workspace) -> None:
    """Every file-level value of the example workspace round-trips unchanged."""
    values: list[Any] = [example_ws.partnership, *example_ws.frameworks, *example_ws.cycles, *example_ws.assessments]
    values += [*example_ws.case_file_audits, *example_ws.practitioner_audits, example_ws.published]
    values.append(sgassure.IndicatorSet(indicators=example_ws.indicators))
    for value in values:
        text = dump_yaml(unstructure_document(value))
        assert structure_document(parse_document(text), type(value)) == value
