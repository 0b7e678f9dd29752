"""Detection and masking of personal identifiers in free text.

Safeguarding partnership inputs carry free text (evidence descriptions,
comments, audit findings) that must not leak identifying details about
children, adults or families. This module finds three kinds of identifier,
reports them as data (kind and character offsets, never the matched text) and
masks them for rendered output:

* NHS numbers: ten digits written ``9434765919``, ``943 476 5919`` or
  ``943-476-5919`` (one separator style throughout, a non-breaking space
  counts as a space), not part of a longer digit run and with a valid
  modulus-11 check digit. Ten repeated digits (``0000000000``) pass the
  check but are placeholders, so they are not reported.
* Full UK postcodes (outward and inward code, e.g. ``LE1 5WW``), matched
  case-insensitively; an outward code alone (``LE1``) is not reported. A
  lower-case "inward code" that reads as an ordinal (``Q1 2nd``) is ignored.
* Dates of birth: a date only counts when labelled (``DOB``, ``D.O.B.``,
  ``date of birth`` or ``born``, optionally followed by ``:`` or ``on``). The
  reported span covers the label *and* the date (and brackets around the
  date, as in ``DOB (12/03/2011)``), so masking removes both.

It also validates pseudonymous case references such as ``CFA-24-017``.

Examples:
    >>> mask_identifiers("Seen at LE1 5WW, NHS no. 943 476 5919, DOB: 12/03/2011.")
    'Seen at [postcode removed], NHS no. [NHS number removed], [date of birth removed].'
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from typing import Final

import attrs

__all__ = [
    "CASE_REFERENCE_PATTERN",
    "IdentifierKind",
    "IdentifierMatch",
    "case_reference_problem",
    "find_identifiers",
    "is_valid_case_reference",
    "mask_identifiers",
    "scan_record",
]


class IdentifierKind(enum.StrEnum):
    """Kind of personal identifier detected in free text.

    Examples:
        >>> IdentifierKind("postcode") is IdentifierKind.POSTCODE
        True
        >>> str(IdentifierKind.NHS_NUMBER)
        'nhs-number'
    """

    NHS_NUMBER = "nhs-number"
    POSTCODE = "postcode"
    DATE_OF_BIRTH = "date-of-birth"


_MASK_LABELS: Final[Mapping[IdentifierKind, str]] = {
    IdentifierKind.NHS_NUMBER: "[NHS number removed]",
    IdentifierKind.POSTCODE: "[postcode removed]",
    IdentifierKind.DATE_OF_BIRTH: "[date of birth removed]",
}


def _end_after_start(instance: IdentifierMatch, attribute: attrs.Attribute[int], value: int) -> None:
    if value <= instance.start:
        raise ValueError(f"{attribute.name} ({value}) must be greater than start ({instance.start})")


@attrs.frozen(kw_only=True)
class IdentifierMatch:
    """Location of one identifier found in free text.

    The matched text itself is deliberately not stored, so a match can be
    reported or logged without leaking the identifier.

    Attributes:
        kind: What kind of identifier was found.
        start: Offset of the first character of the match in the scanned text.
        end: Offset one past the last character of the match.
        path: Field path where the text was found (e.g. ``"ratings[2].comment"``);
            empty for a bare string scan.

    Examples:
        >>> match = IdentifierMatch(kind=IdentifierKind.POSTCODE, start=8, end=15, path="comment")
        >>> match.masked()
        '[postcode removed]'
        >>> IdentifierMatch(kind=IdentifierKind.POSTCODE, start=3, end=3)
        Traceback (most recent call last):
        ...
        ValueError: end (3) must be greater than start (3)
    """

    kind: IdentifierKind = attrs.field(validator=attrs.validators.instance_of(IdentifierKind))
    start: int = attrs.field(validator=[attrs.validators.instance_of(int), attrs.validators.ge(0)])
    end: int = attrs.field(validator=[attrs.validators.instance_of(int), _end_after_start])
    path: str = attrs.field(default="", validator=attrs.validators.instance_of(str))

    def masked(self) -> str:
        """Return the label that replaces this identifier in rendered output.

        Examples:
            >>> IdentifierMatch(kind=IdentifierKind.NHS_NUMBER, start=0, end=10).masked()
            '[NHS number removed]'
        """
        return _MASK_LABELS[self.kind]


_NHS_RE: Final = re.compile(r"(?<![0-9])([0-9]{3})([ \u00a0-]?)([0-9]{3})\2([0-9]{4})(?![0-9])")
# Inward-code unit letters never use C, I, K, M, O or V. A postcode must not be
# part of a longer letter run (as an NHS number must not be part of a longer digit
# run), so masking an adjacent identifier can never expose a new one.
_POSTCODE_RE: Final = re.compile(
    r"(?<![A-Z])[A-Z]{1,2}[0-9][A-Z0-9]?[ \u00a0]?[0-9](?P<unit>[ABD-HJLNP-UW-Z]{2})(?![A-Z])",
    re.IGNORECASE,
)
_ORDINAL_SUFFIXES: Final = frozenset({"st", "nd", "rd", "th"})
_DAY: Final = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH_NUMBER: Final = r"(?:0?[1-9]|1[0-2])"
_MONTH_NAME: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE: Final = (
    rf"{_DAY}(?P<sep>[/.-]){_MONTH_NUMBER}(?P=sep)[0-9]{{4}}"
    rf"|[0-9]{{4}}-{_MONTH_NUMBER}-{_DAY}"
    rf"|{_DAY}(?:st|nd|rd|th)?\s{_MONTH_NAME}\s[0-9]{{4}}"
    rf"|{_MONTH_NAME}\s{_DAY}(?:st|nd|rd|th)?,?\s[0-9]{{4}}"
)
_DOB_RE: Final = re.compile(
    r"(?<![A-Z])(?:d\.?o\.?b\.?|date\s+of\s+birth|born)(?![A-Z])"
    rf"[\s:=,\u2013-]{{0,4}}(?:on[\s:]{{1,3}})?(?P<paren>\()?(?:{_DATE})(?![0-9])(?(paren)\))",
    re.IGNORECASE,
)
CASE_REFERENCE_PATTERN: Final[str] = r"^[A-Z]{2,5}-[0-9]{2}-[0-9]{3,4}$"
_CASE_REFERENCE_RE: Final = re.compile(CASE_REFERENCE_PATTERN)


def _is_valid_nhs_number(digits: str) -> bool:
    if len(set(digits)) == 1:
        return False
    # A check value of 11 means 0; a check value of 10 can never equal the tenth digit.
    check = (11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11) % 11
    return check == int(digits[9])


def _candidates(text: str) -> Iterator[tuple[int, int, IdentifierKind]]:
    for m in _NHS_RE.finditer(text):
        if _is_valid_nhs_number(m.group(1) + m.group(3) + m.group(4)):
            yield m.start(), m.end(), IdentifierKind.NHS_NUMBER
    for m in _POSTCODE_RE.finditer(text):
        unit = m.group("unit")
        if unit.isupper() or unit.lower() not in _ORDINAL_SUFFIXES:
            yield m.start(), m.end(), IdentifierKind.POSTCODE
    for m in _DOB_RE.finditer(text):
        yield m.start(), m.end(), IdentifierKind.DATE_OF_BIRTH


def find_identifiers(text: str, *, path: str = "") -> tuple[IdentifierMatch, ...]:
    """Find personal identifiers in free text.

    Where two candidate matches overlap, the one starting earlier wins, then
    the longer one, then the kind whose value sorts first.

    Args:
        text: The free text to scan.
        path: Field path recorded on every match.

    Returns:
        Non-overlapping matches sorted by ``(start, end, kind)``.

    Examples:
        >>> [(m.kind.value, m.start, m.end) for m in find_identifiers("NHS 943 476 5919, M1 1AE")]
        [('nhs-number', 4, 16), ('postcode', 18, 24)]
        >>> find_identifiers("Section 11 standard 3; evidence dated 12/03/2024")
        ()
    """
    kept: list[IdentifierMatch] = []
    last_end = 0
    for start, end, kind in sorted(_candidates(text), key=lambda c: (c[0], c[0] - c[1], c[2])):
        if start >= last_end:
            kept.append(IdentifierMatch(kind=kind, start=start, end=end, path=path))
            last_end = end
    return tuple(kept)


def mask_identifiers(text: str) -> str:
    """Replace every identifier in ``text`` with its mask label.

    Examples:
        >>> mask_identifiers("Child A (born on 12 March 2011) moved to B33 8TH.")
        'Child A ([date of birth removed]) moved to [postcode removed].'
        >>> mask_identifiers("KPI-03 met in 2024 Q1")
        'KPI-03 met in 2024 Q1'
    """
    parts: list[str] = []
    position = 0
    for match in find_identifiers(text):
        parts += [text[position : match.start], match.masked()]
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _walk(value: object, path: str) -> Iterator[IdentifierMatch]:
    if isinstance(value, enum.Enum):
        return
    if isinstance(value, str):
        yield from find_identifiers(value, path=path)
    elif attrs.has(cls := type(value)):
        for field in attrs.fields(cls):
            yield from _walk(getattr(value, field.name), _join(path, field.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, _join(path, key) if isinstance(key, str) else f"{path}[{key!r}]")
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def scan_record(value: object, *, path: str = "") -> tuple[IdentifierMatch, ...]:
    """Scan every string inside a record for personal identifiers.

    Walks attrs instances (fields in definition order, path ``name.field``),
    tuples and lists (``name[i]``) and mappings (values only; ``name.key`` for
    string keys, ``name[key!r]`` otherwise), depth first. Enum members (even
    ``StrEnum``) and other non-string leaves are ignored, as are sets.

    Args:
        value: The record (or any value) to scan.
        path: Path prefix for the value itself.

    Returns:
        All matches in depth-first field order, each carrying its field path.

    Examples:
        >>> @attrs.frozen
        ... class Finding:
        ...     comment: str
        ...     tags: tuple[str, ...] = ()
        >>> [(m.path, m.kind.value) for m in scan_record(Finding("ok", ("LE1 5WW",)), path="findings[0]")]
        [('findings[0].tags[0]', 'postcode')]
    """
    return tuple(_walk(value, path))


def is_valid_case_reference(ref: str) -> bool:
    """Return whether ``ref`` is a pseudonymous case reference.

    A valid reference is 2-5 upper-case letters, a 2-digit year and 3 or 4
    digits, separated by hyphens (:data:`CASE_REFERENCE_PATTERN`).

    Examples:
        >>> is_valid_case_reference("CFA-24-017"), is_valid_case_reference("NEG-25-0103")
        (True, True)
        >>> is_valid_case_reference("Jane Smith")
        False
    """
    return _CASE_REFERENCE_RE.fullmatch(ref) is not None


def case_reference_problem(ref: str) -> str | None:
    """Describe why ``ref`` is not a pseudonymous case reference.

    The message does not repeat the value: a case reference that is not a
    pseudonym may be a person's name, and errors end up in logs.

    Returns:
        ``None`` when ``ref`` is valid, otherwise a message for loaders.

    Examples:
        >>> case_reference_problem("CFA-24-017") is None
        True
        >>> print(case_reference_problem("Jane Smith"))
        expected a pseudonymous case reference like 'CFA-24-017' (the value is not shown: it may identify someone)
    """
    if is_valid_case_reference(ref):
        return None
    return "expected a pseudonymous case reference like 'CFA-24-017' (the value is not shown: it may identify someone)"
