"""Tests for sgassure.privacy: identifier detection, masking and case references."""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sgassure import privacy
from sgassure.privacy import (
    CASE_REFERENCE_PATTERN,
    IdentifierKind,
    IdentifierMatch,
    case_reference_problem,
    find_identifiers,
    is_valid_case_reference,
    mask_identifiers,
    scan_record,
)

NHS = IdentifierKind.NHS_NUMBER
POSTCODE = IdentifierKind.POSTCODE
DOB = IdentifierKind.DATE_OF_BIRTH


def spans(text: str) -> list[tuple[IdentifierKind, int, int]]:
    """Return (kind, start, end) for every identifier found in text."""
    return [(m.kind, m.start, m.end) for m in find_identifiers(text)]


def nhs_check_digit(nine: str) -> int:
    """Compute the modulus-11 check digit independently of the module (10 means invalid)."""
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
    return 0 if check == 11 else check


def valid_nhs_numbers_in(text: str) -> list[str]:
    """List every valid NHS number written in any accepted format in text."""
    found = []
    for m in re.finditer(r"(?<![0-9])[0-9]{3}([ \u00a0-]?)[0-9]{3}\1[0-9]{4}(?![0-9])", text):
        digits = re.sub(r"[^0-9]", "", m.group())
        if len(set(digits)) > 1 and nhs_check_digit(digits[:9]) == int(digits[9]):
            found.append(m.group())
    return found


# --- the API surface ------------------------------------------------------------------------------


def test_all_is_sorted_and_complete() -> None:
    """The module exports exactly the documented public names, sorted."""
    assert privacy.__all__ == [
        "CASE_REFERENCE_PATTERN",
        "IdentifierKind",
        "IdentifierMatch",
        "case_reference_problem",
        "find_identifiers",
        "is_valid_case_reference",
        "mask_identifiers",
        "scan_record",
    ]


def test_identifier_kind_values() -> None:
    """Each identifier kind has its documented string value."""
    assert [(k.name, k.value) for k in IdentifierKind] == [
        ("NHS_NUMBER", "nhs-number"),
        ("POSTCODE", "postcode"),
        ("DATE_OF_BIRTH", "date-of-birth"),
    ]


def test_match_masked_labels() -> None:
    """Each kind of match masks to its own label."""
    labels = [IdentifierMatch(kind=kind, start=0, end=1).masked() for kind in IdentifierKind]
    assert labels == ["[NHS number removed]", "[postcode removed]", "[date of birth removed]"]


def test_match_does_not_store_matched_text() -> None:
    """A match records only kind, offsets and path, never the identifier itself."""
    assert [f.name for f in attrs.fields(IdentifierMatch)] == ["kind", "start", "end", "path"]


def test_match_rejects_empty_or_negative_span() -> None:
    """A match must have 0 <= start < end."""
    with pytest.raises(ValueError, match=r"end \(4\) must be greater than start \(4\)"):
        IdentifierMatch(kind=NHS, start=4, end=4)
    with pytest.raises(ValueError, match="'start' must be >= 0"):
        IdentifierMatch(kind=NHS, start=-1, end=4)


# --- NHS numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "943\u00a0476\u00a05919"])
def test_nhs_number_formats_found(number: str) -> None:
    """A valid NHS number is found in each accepted format."""
    text = f"NHS no. {number}."
    assert spans(text) == [(NHS, 8, 8 + len(number))]


@pytest.mark.parametrize("number", ["3982597919", "907 483 3780", "876-232-8603", "1290404798"])
def test_other_valid_nhs_numbers_found(number: str) -> None:
    """Other numbers with a correct check digit (including check digit 0) are found."""
    assert spans(number) == [(NHS, 0, len(number))]


@pytest.mark.parametrize(
    "text",
    [
        "943 476 5918",  # wrong check digit
        "9434765910",  # wrong check digit
        "3040119800",  # check digit would be 10: no valid number has these first nine digits
        "1984634641",  # check digit would be 10
        "19434765919",  # part of an eleven-digit run
        "94347659190",  # part of an eleven-digit run
        "943 476-5919",  # mixed separators
        "943  476 5919",  # doubled separator
        "0000000000",  # placeholder: passes modulus 11 but is not a real number
        "9999999999",  # placeholder
        "943 476 591",  # nine digits
    ],
)
def test_nhs_near_misses_not_found(text: str) -> None:
    """Ten-digit-like strings that are not valid NHS numbers are not reported."""
    assert find_identifiers(text) == ()


# --- postcodes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode",
    ["LE1 5WW", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "le1 5ww", "SW1A1AA"],
)
def test_postcodes_found(postcode: str) -> None:
    """Full postcodes in any letter case, with or without the space, are found."""
    text = f"Lives at {postcode}, with mother."
    assert spans(text) == [(POSTCODE, 9, 9 + len(postcode))]


@pytest.mark.parametrize(
    "text",
    [
        "LE1",
        "Seen at the LE1 clinic",
        "S11",
        "S11 audit",
        "Section 11 standard 3",
        "KPI-03",
        "2024 Q1",
        "Q1 2nd meeting",
        "reviewed in Y7 1st term",
        "LE1 5CW",  # C is never an inward-code letter
        "LE1 5WI",  # nor is I
        "SW1A 1AAB",  # run on into another letter
        "XSW1A 1AA",  # run on from another letter
    ],
)
def test_postcode_near_misses_not_found(text: str) -> None:
    """Outward codes alone, document codes, ordinals and malformed codes are not reported."""
    assert find_identifiers(text) == ()


@pytest.mark.parametrize("letter", list("CIKMOV"))
def test_postcode_inward_letters_exclude_cikmov(letter: str) -> None:
    """An inward code using C, I, K, M, O or V in either unit position is not a postcode."""
    assert (find_identifiers(f"LE1 5{letter}W"), find_identifiers(f"LE1 5W{letter}")) == ((), ())


def test_upper_case_ordinal_like_inward_code_is_a_postcode() -> None:
    """Only lower-case ordinal-like inward codes are ignored; B33 8TH in capitals is a postcode."""
    assert (spans("B33 8TH"), spans("b33 8th")) == ([(POSTCODE, 0, 7)], [])


# --- dates of birth -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labelled",
    [
        "DOB 12/03/2011",
        "DOB: 12/03/2011",
        "dob:12-03-2011",
        "D.O.B. 12.03.2011",
        "D.O.B.: 2011-03-12",
        "date of birth 12 March 2011",
        "Date of Birth: 12 Mar 2011",
        "Date of birth:\n12 Sept. 2011",
        "born 12th March 2011",
        "born on March 12, 2011",
        "Born on: 1 June 2011",
        "born - 2011-3-1",
        "DOB (12/03/2011)",
    ],
)
def test_labelled_dates_of_birth_found_with_label(labelled: str) -> None:
    """A labelled date of birth is found, and the span covers both the label and the date."""
    text = f"Child A, {labelled}; lives with father."
    assert spans(text) == [(DOB, 9, 9 + len(labelled))]


@pytest.mark.parametrize(
    "text",
    [
        "evidence dated 12/03/2024",
        "reviewed on 2024-03-31",
        "meeting held 12 March 2024",
        "born out of the review",
        "born out of the review of 12/03/2024",
        "born in 2011",
        "newborn 12/03/2011",
        "DOB 12/03-2011",
        "DOB 32/03/2011",
        "DOB 12/13/2011",
        "DOB 12/03/20112",
        "DOB (12/03/2011",
        "DOBBIN 12/03/2011",
    ],
)
def test_date_near_misses_not_found(text: str) -> None:
    """Unlabelled dates, labels without a date and malformed dates are not reported."""
    assert find_identifiers(text) == ()


# --- find_identifiers and mask_identifiers --------------------------------------------------------


def test_find_identifiers_order_and_path() -> None:
    """Matches of all kinds come back in text order, each carrying the given path."""
    text = "Seen at LE1 5WW; NHS 943 476 5919; DOB 12/03/2011."
    assert find_identifiers(text, path="ratings[2].comment") == (
        IdentifierMatch(kind=POSTCODE, start=8, end=15, path="ratings[2].comment"),
        IdentifierMatch(kind=NHS, start=21, end=33, path="ratings[2].comment"),
        IdentifierMatch(kind=DOB, start=35, end=49, path="ratings[2].comment"),
    )


def test_overlapping_candidates_keep_earlier_then_longer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Of overlapping candidates the earlier-starting, then the longer, then the lower kind is kept."""

    def fake(text: str) -> Iterator[tuple[int, int, IdentifierKind]]:
        yield from [(5, 9, POSTCODE), (2, 6, NHS), (2, 8, POSTCODE), (2, 8, DOB), (8, 12, NHS), (12, 14, DOB)]

    monkeypatch.setattr(privacy, "_candidates", fake)
    assert spans("x" * 20) == [(DOB, 2, 8), (NHS, 8, 12), (DOB, 12, 14)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9434765919LE1 5WW", [(NHS, 0, 10), (POSTCODE, 10, 17)]),
        ("LE1 5WW9434765919", [(POSTCODE, 0, 7), (NHS, 7, 17)]),
        ("DOB 12/03/2011LE1 5WW", [(DOB, 0, 14), (POSTCODE, 14, 21)]),
    ],
)
def test_adjacent_identifiers_are_each_found(text: str, expected: list[tuple[IdentifierKind, int, int]]) -> None:
    """Identifiers written with nothing between them are each found, so masking one cannot expose another."""
    assert spans(text) == expected


def test_mask_identifiers_replaces_each_identifier() -> None:
    """Masking replaces each identifier (a date of birth together with its label) and keeps other text."""
    text = "Child A (DOB: 12/03/2011), NHS 943-476-5919, moved from M1 1AE to B33 8TH in 2024 Q1."
    assert mask_identifiers(text) == (
        "Child A ([date of birth removed]), NHS [NHS number removed], "
        "moved from [postcode removed] to [postcode removed] in 2024 Q1."
    )


def test_mask_identifiers_leaves_clean_text_alone() -> None:
    """Text without identifiers is returned unchanged."""
    text = "Section 11 standard 3 (KPI-03): evidence dated 12/03/2024, reviewed on 2024-03-31."
    assert mask_identifiers(text) == text


# --- property tests -------------------------------------------------------------------------------

words = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8))


@st.composite
def valid_nhs_numbers(draw: st.DrawFn) -> str:
    """Draw a valid ten-digit NHS number (not a repeated-digit placeholder)."""
    nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    check = nhs_check_digit(nine)
    number = nine + str(check)
    assume(check != 10 and len(set(number)) > 1)
    return number


def test_valid_nhs_number_strategy_matches_documented_example() -> None:
    """The test-side check digit agrees with the documented example 943 476 5919."""
    assert nhs_check_digit("943476591") == 9


@given(number=valid_nhs_numbers(), separator=st.sampled_from(["", " ", "-"]), before=words, after=words)
def test_valid_nhs_numbers_always_found(number: str, separator: str, before: list[str], after: list[str]) -> None:
    """A valid NHS number in any accepted format among ordinary words is always found exactly."""
    written = separator.join([number[:3], number[3:6], number[6:]])
    prefix = " ".join([*before, ""])
    text = prefix + written + " ".join(["", *after])
    assert spans(text) == [(NHS, len(prefix), len(prefix) + len(written))]


@given(
    outward=st.from_regex(r"\A[A-Z]{1,2}[0-9][A-Z0-9]?\Z"),
    inward=st.from_regex(r"\A[0-9][ABD-HJLNP-UW-Z]{2}\Z"),
    before=words,
    after=words,
)
def test_upper_case_postcodes_always_found(outward: str, inward: str, before: list[str], after: list[str]) -> None:
    """A full upper-case postcode among ordinary words is always found exactly."""
    prefix = " ".join([*before, ""])
    text = f"{prefix}{outward} {inward} " + " ".join(after)
    assert spans(text) == [(POSTCODE, len(prefix), len(prefix) + len(outward) + 1 + len(inward))]


@given(st.text(alphabet=st.characters(categories=["L", "Zs", "P"])))
def test_text_without_digits_has_no_identifiers(text: str) -> None:
    """Text made only of letters, spaces and punctuation contains no NHS number, postcode or date."""
    assert find_identifiers(text) == ()


tokens = st.one_of(
    st.sampled_from(["DOB", "D.O.B.", "born", "date of birth", "on", "March", "Mar", "2nd", "A", "SW", "LE", "1AA"]),
    st.sampled_from([" ", ":", "/", "-", ".", ",", "(", ")", "\n", "12", "03", "2011", "1", "7", "943", "476", "5919"]),
    st.sampled_from(["5WW", "9434765919"]),
)
mixed_text = st.one_of(st.text(), st.lists(tokens).map("".join))


@given(mixed_text)
def test_masking_is_idempotent_and_complete(text: str) -> None:
    """Masked text has no identifiers left, so masking it again changes nothing."""
    masked = mask_identifiers(text)
    assert (find_identifiers(masked), mask_identifiers(masked)) == ((), masked)


@given(st.one_of(mixed_text, st.builds(lambda n: f"x {n} y", valid_nhs_numbers())))
def test_masking_never_leaves_a_valid_nhs_number(text: str) -> None:
    """No valid NHS number, by an independent check, survives masking."""
    assert valid_nhs_numbers_in(mask_identifiers(text)) == []


@given(mixed_text)
def test_matches_are_sorted_and_disjoint(text: str) -> None:
    """Matches are sorted by (start, end, kind), lie inside the text and never overlap."""
    matches = find_identifiers(text)
    keys = [(m.start, m.end, m.kind) for m in matches]
    assert keys == sorted(keys)
    assert all(0 <= m.start < m.end <= len(text) for m in matches)
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))


# --- scan_record ----------------------------------------------------------------------------------


class Level(enum.StrEnum):
    """A string enum whose value looks like a postcode, to show enum members are skipped."""

    ODD = "LE1 5WW"


@attrs.frozen
class Item:
    """A rated item with a free-text comment."""

    comment: str
    level: Level = Level.ODD
    score: int = 9434765919


@attrs.frozen
class Audit:
    """An audit with nested items, notes and tags."""

    title: str
    items: tuple[Item, ...]
    notes: dict[object, str] = attrs.field(factory=dict)
    tags: list[str] = attrs.field(factory=list)


def test_scan_record_reports_paths_depth_first() -> None:
    """scan_record walks fields in definition order and reports each match with its field path."""
    audit = Audit(
        title="Audit of LE1 5WW cases",
        items=(Item("no concerns"), Item("NHS 943 476 5919 and M1 1AE"), Item("DOB 12/03/2011")),
        notes={"summary": "born on 1 June 2011", 3: "B33 8TH"},
        tags=["ok", "SW1A 1AA"],
    )
    assert [(m.path, m.kind, m.start, m.end) for m in scan_record(audit)] == [
        ("title", POSTCODE, 9, 16),
        ("items[1].comment", NHS, 4, 16),
        ("items[1].comment", POSTCODE, 21, 27),
        ("items[2].comment", DOB, 0, 14),
        ("notes.summary", DOB, 0, 19),
        ("notes[3]", POSTCODE, 0, 7),
        ("tags[1]", POSTCODE, 0, 8),
    ]


def test_scan_record_prefix_and_leaves() -> None:
    """A path prefix is applied, bare strings are scanned, and enums and other non-strings are ignored."""
    assert (
        scan_record(Item("M1 1AE"), path="ratings[2]"),
        scan_record("M1 1AE"),
        scan_record(Level.ODD),
        scan_record(9434765919),
    ) == (
        (IdentifierMatch(kind=POSTCODE, start=0, end=6, path="ratings[2].comment"),),
        (IdentifierMatch(kind=POSTCODE, start=0, end=6),),
        (),
        (),
    )


# --- case references ------------------------------------------------------------------------------


def test_case_reference_pattern_value() -> None:
    """The case reference pattern is the documented anchored regular expression."""
    assert CASE_REFERENCE_PATTERN == r"^[A-Z]{2,5}-[0-9]{2}-[0-9]{3,4}$"


@pytest.mark.parametrize("ref", ["CFA-24-017", "NEG-25-0103", "AB-00-000", "ABCDE-99-9999"])
def test_valid_case_references(ref: str) -> None:
    """Pseudonymous references of the documented shape are valid and have no problem."""
    assert (is_valid_case_reference(ref), case_reference_problem(ref)) == (True, None)


@pytest.mark.parametrize(
    "ref",
    [
        "Jane Smith",
        "",
        "cfa-24-017",
        "C-24-017",
        "ABCDEF-24-017",
        "CFA-2024-017",
        "CFA-24-01",
        "CFA-24-01234",
        "CFA 24 017",
        "CFA-24-017\n",
        " CFA-24-017",
        "CFA-24-\uff10\uff11\uff17",
    ],
)
def test_invalid_case_references(ref: str) -> None:
    """Anything else is invalid, with a message that does not repeat the value."""
    assert (is_valid_case_reference(ref), case_reference_problem(ref)) == (
        False,
        "expected a pseudonymous case reference like 'CFA-24-017' (the value is not shown: it may identify someone)",
    )


def test_case_reference_problem_message() -> None:
    """The problem message for a real name never repeats the name."""
    message = case_reference_problem("Jane Smith")
    assert message == (
        "expected a pseudonymous case reference like 'CFA-24-017' (the value is not shown: it may identify someone)"
    )
