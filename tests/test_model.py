"""Behaviour of the domain model: dated reads, derived rates, scales and names."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from tests.conftest import MINI_PARTNERSHIP

import sgassure
from sgassure import ActionItem, ActionStatus, Evidence, Moderation, Rating, StatusChange

D = dt.date


def test_effective_rating_prefers_moderation_known_as_at() -> None:
    """The moderated level is effective only from its date; before it the self rating stands."""
    rating = Rating(
        requirement="5.1",
        level="fully",
        moderation=Moderation(level="partly", rationale="Training data incomplete.", date=D(2025, 7, 1), by="seg"),
    )
    assert [rating.effective_level(day) for day in (D(2025, 6, 30), D(2025, 7, 1), None)] == [
        "fully",
        "partly",
        "partly",
    ]
    assert rating.moderated_level(D(2025, 6, 30)) is None


def test_not_applicable_has_no_effective_level() -> None:
    """A not-applicable rating has no level, moderated or not."""
    assert Rating(requirement="3.2", not_applicable=True, reason="Does not detain.").effective_level() is None


def test_evidence_recorded_after_as_of_is_invisible() -> None:
    """Evidence recorded after the as-at date is not seen by a dated read."""
    early = Evidence(description="Policy", effective=D(2024, 1, 1), recorded=D(2024, 2, 1))
    late = Evidence(description="Audit", effective=D(2025, 1, 1), recorded=D(2025, 6, 1))
    rating = Rating(requirement="1.1", level="fully", evidence=(early, late))
    assert rating.evidence_on(D(2025, 3, 31)) == (early,)
    assert rating.evidence_on(None) == (early, late)


@pytest.mark.parametrize(
    ("effective", "months", "expires"),
    [
        (D(2023, 9, 30), 24, D(2025, 9, 30)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 11, 15), 14, D(2026, 1, 15)),
    ],
)
def test_evidence_expiry_adds_calendar_months(effective: dt.date, months: int, expires: dt.date) -> None:
    """Validity counts calendar months, clamping to the month's last day."""
    assert Evidence(description="x", effective=effective, recorded=effective, valid_months=months).expires() == expires


def test_evidence_is_stale_on_its_expiry_day() -> None:
    """Evidence is stale from its expiry date onwards and never without a validity."""
    ev = Evidence(description="x", effective=D(2023, 9, 30), recorded=D(2023, 9, 30), valid_months=24)
    assert (ev.is_stale(D(2025, 9, 29)), ev.is_stale(D(2025, 9, 30))) == (False, True)
    assert not Evidence(description="x", effective=D(2000, 1, 1), recorded=D(2000, 1, 1)).is_stale(D(2025, 1, 1))


def test_action_status_as_at_a_date() -> None:
    """An audit as at 31 March rerun in June sees the status of 31 March."""
    item = ActionItem(
        id="A1",
        requirement="5.2",
        action="Supervision audit",
        owner="Named nurse",
        due=D(2025, 3, 1),
        history=(
            StatusChange(date=D(2025, 1, 10), status=ActionStatus.IN_PROGRESS),
            StatusChange(date=D(2025, 5, 20), status=ActionStatus.COMPLETE),
        ),
    )
    assert item.status_on(D(2024, 12, 31)) is ActionStatus.NOT_STARTED
    assert item.status_on(D(2025, 3, 31)) is ActionStatus.IN_PROGRESS
    assert item.is_overdue(D(2025, 3, 31))
    assert not item.is_overdue(D(2025, 6, 30))


def test_attendance_rate_is_derived_from_meetings_in_tenure() -> None:
    """Attendance counts only meetings held while the agency held its seat."""
    text = MINI_PARTNERSHIP.replace(
        "meetings:\n  - {body: fscp-exec, date: 2024-06-01, attended: [fen-police]}\n",
        "meetings:\n"
        "  - {body: fscp-exec, date: 2023-01-10, attended: []}\n"
        "  - {body: fscp-exec, date: 2024-06-01, attended: [fen-police]}\n"
        "  - {body: fscp-exec, date: 2024-09-01, attended: []}\n"
        "  - {body: fscp-exec, date: 2024-12-01, attended: [fen-police]}\n",
    )
    p = sgassure.parse_partnership(text)
    assert p.attendance("fen-police", "fscp-exec", D(2022, 1, 1), D(2025, 1, 1)) == (2, 3)
    assert p.attendance_rate("fen-police", "fscp-exec", D(2022, 1, 1), D(2025, 1, 1)) == Fraction(2, 3)
    assert p.attendance_rate("fen-police", "fscp", D(2022, 1, 1), D(2025, 1, 1)) is None


def test_agency_found_by_alias_any_case() -> None:
    """An agency is found by id, name or alias, ignoring case and spacing."""
    p = sgassure.parse_partnership(MINI_PARTNERSHIP)
    found = [p.find_agency(name) for name in ("fp", "FENMARSH  police", "fen-police", "Fenmarsh Fire")]
    assert [a.id if a else None for a in found] == ["fen-police", "fen-police", "fen-police", None]


def test_scale_threshold_orders_levels() -> None:
    """Compliance is read from the catalog's threshold, not from named levels."""
    s11 = sgassure.bundled_framework("section-11").scale
    saaf = sgassure.bundled_framework("saaf").scale
    assert [s11.is_compliant(level) for level in s11.level_ids] == [True, True, False, False]
    assert [saaf.is_compliant(level) for level in saaf.level_ids] == [True, True, False, False]
    assert (s11.resolve("RED"), s11.resolve("Partly compliant"), s11.resolve("purple")) == ("not", "partly", None)


def test_supersession_maps_renumbered_requirements() -> None:
    """The 2025 Section 11 catalog says where 2023 requirements moved."""
    new = sgassure.bundled_framework("section-11", "2025")
    assert new.supersedes is not None
    assert new.supersedes.previous == "2023"
    assert [new.supersedes.current_id(old) for old in ("5.2", "7.2", "1.1")] == ["5.3", "7.3", "1.1"]


def test_escalation_parameters_are_dated() -> None:
    """The parameters in force are the latest that started on or before the day."""
    rule = sgassure.EscalationRule(
        concern="overdue-action",
        body="seg",
        parameters=(
            sgassure.PolicyParameters(start=D(2025, 4, 1), grace_days=28),
            sgassure.PolicyParameters(start=D(2023, 4, 1), grace_days=56),
        ),
    )
    assert [
        getattr(rule.parameters_on(day), "grace_days", None) for day in (D(2023, 1, 1), D(2024, 1, 1), D(2025, 9, 30))
    ] == [
        None,
        56,
        28,
    ]


def test_schools_answer_under_the_education_act() -> None:
    """Schools are in Section 11 scope through the Education Act 2002, not Section 11 itself."""
    entry = sgassure.bundled_framework("section-11").scope_for(sgassure.AgencyKind.SCHOOL)
    assert entry is not None
    assert entry.basis is sgassure.Basis.STATUTORY
    assert "Education Act 2002" in entry.citation


def test_saaf_questions_may_be_not_relevant_to_a_kind() -> None:
    """SAAF marks questions that do not apply to some kinds of agency."""
    saaf = sgassure.bundled_framework("saaf")
    marked = [r.id for _, r in saaf.requirements() if sgassure.AgencyKind.DISTRICT_COUNCIL in r.not_relevant_to]
    assert marked
