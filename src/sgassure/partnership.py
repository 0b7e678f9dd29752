"""The partnership: agencies, boards and their bodies, memberships, meetings and lines.

A :class:`Partnership` is what a business office keeps about its safeguarding
arrangements: the agencies, the boards with their executive, subgroups and
panels, programmes, the bodies outside the board it accounts to, who sits where
and on what basis, the meetings held (attendance rates are derived from them,
never stored), the reporting lines between bodies (and the offices accountable
to them), the statutory partners each board must have, the information-sharing
agreements between agencies, who commissions whom, and the escalation policy
that says which body acts on which concern.

Every collection but ``agencies`` and ``bodies`` is optional, so a file that
names none of the later additions (dated reporting lines, ``accountable_to`` of
an office, ``information_sharing``, ``commissioning``) loads unchanged.

Examples:
    >>> from sgassure import parse_partnership
    >>> p = parse_partnership('''
    ... version: 1
    ... id: fenmarsh
    ... name: Fenmarsh Safeguarding Partnership
    ... areas: [Fenmarsh]
    ... agencies:
    ...   - {id: fcc-csc, name: Fenmarsh County Council Children's Services, kind: la-childrens, sectors: children}
    ... bodies:
    ...   - {id: fscp, name: Fenmarsh Safeguarding Children Partnership, kind: childrens-board, sector: children}
    ... ''')
    >>> p.agency("fcc-csc").kind
    <AgencyKind.LA_CHILDRENS: 'la-childrens'>
"""

from __future__ import annotations

import datetime as dt
import enum
from fractions import Fraction

import attrs

__all__ = [
    "Agency",
    "AgencyKind",
    "Body",
    "BodyKind",
    "Commissioning",
    "EscalationPolicy",
    "EscalationRule",
    "InformationSharingAgreement",
    "Meeting",
    "Membership",
    "MembershipClass",
    "Office",
    "Partnership",
    "PolicyParameters",
    "ReportingLine",
    "ReportingLineKind",
    "Sector",
    "StatutoryPartner",
]


class Sector(enum.StrEnum):
    """Whom a body serves: children, adults, or both.

    Examples:
        >>> Sector.BOTH.covers(Sector.CHILDREN)
        True
    """

    CHILDREN = "children"
    ADULTS = "adults"
    BOTH = "both"

    def covers(self, other: Sector) -> bool:
        """Whether a body serving this sector serves ``other``."""
        return self is Sector.BOTH or self is other


class AgencyKind(enum.StrEnum):
    """The kind of an agency, as statute and frameworks name them.

    Examples:
        >>> AgencyKind("nhs-acute-trust").value
        'nhs-acute-trust'
    """

    LA_CHILDRENS = "la-childrens"
    LA_ADULTS = "la-adults"
    LA_EDUCATION = "la-education"
    PUBLIC_HEALTH = "public-health"
    DISTRICT_COUNCIL = "district-council"
    NHS_ACUTE_TRUST = "nhs-acute-trust"
    NHS_COMMUNITY_TRUST = "nhs-community-trust"
    NHS_MENTAL_HEALTH_TRUST = "nhs-mental-health-trust"
    NHS_AMBULANCE_TRUST = "nhs-ambulance-trust"
    CCG = "ccg"
    ICB = "icb"
    GP_PRACTICE = "gp-practice"
    POLICE = "police"
    PROBATION = "probation"
    CRC = "community-rehabilitation-company"
    YOUTH_OFFENDING = "youth-offending"
    SCHOOL = "school"
    INDEPENDENT_SCHOOL = "independent-school"
    COLLEGE = "college"
    FIRE_AND_RESCUE = "fire-and-rescue"
    HOUSING_PROVIDER = "housing-provider"
    VOLUNTARY_SECTOR = "voluntary-sector"
    CARE_PROVIDER = "care-provider"
    PRISON = "prison"
    OTHER = "other"


class BodyKind(enum.StrEnum):
    """The kind of a body: a board, a body under a board, or a body outside it.

    Examples:
        >>> BodyKind.HEALTH_AND_WELLBEING_BOARD.is_external
        True
        >>> BodyKind.ADULTS_BOARD.is_board
        True
    """

    CHILDRENS_BOARD = "childrens-board"
    ADULTS_BOARD = "adults-board"
    JOINT_BOARD = "joint-board"
    EXECUTIVE = "executive"
    SUBGROUP = "subgroup"
    PANEL = "panel"
    PRACTITIONER_FORUM = "practitioner-forum"
    SHADOW_BOARD = "shadow-board"
    HEALTH_AND_WELLBEING_BOARD = "health-and-wellbeing-board"
    CABINET = "cabinet"
    SCRUTINY_COMMITTEE = "scrutiny-committee"
    COUNCIL_LEADER = "council-leader"
    CHIEF_EXECUTIVE = "chief-executive"
    POLICE_AND_CRIME_COMMISSIONER = "police-and-crime-commissioner"
    COMMUNITY_SAFETY_PARTNERSHIP = "community-safety-partnership"
    CHIEF_OFFICERS_GROUP = "chief-officers-group"
    PROGRAMME = "programme"

    @property
    def is_board(self) -> bool:
        """Whether this kind is a safeguarding board."""
        return self in (BodyKind.CHILDRENS_BOARD, BodyKind.ADULTS_BOARD, BodyKind.JOINT_BOARD)

    @property
    def is_external(self) -> bool:
        """Whether this kind sits outside the safeguarding arrangements."""
        return self in _EXTERNAL


_EXTERNAL = frozenset(
    {
        BodyKind.HEALTH_AND_WELLBEING_BOARD,
        BodyKind.CABINET,
        BodyKind.SCRUTINY_COMMITTEE,
        BodyKind.COUNCIL_LEADER,
        BodyKind.CHIEF_EXECUTIVE,
        BodyKind.POLICE_AND_CRIME_COMMISSIONER,
        BodyKind.COMMUNITY_SAFETY_PARTNERSHIP,
        BodyKind.CHIEF_OFFICERS_GROUP,
    }
)


class MembershipClass(enum.StrEnum):
    """On what footing an agency sits on a body.

    Examples:
        >>> MembershipClass("co-opted")
        <MembershipClass.CO_OPTED: 'co-opted'>
    """

    STATUTORY = "statutory"
    CO_OPTED = "co-opted"
    PARTICIPANT = "participant"
    ADVISER = "adviser"


class ReportingLineKind(enum.StrEnum):
    """What a line between two bodies carries.

    Examples:
        >>> ReportingLineKind.REPORTS_TO.value
        'reports-to'
    """

    REPORTS_TO = "reports-to"
    ANNUAL_REPORT_TO = "annual-report-to"
    ACCOUNTABLE_TO = "accountable-to"
    ESCALATES_TO = "escalates-to"


@attrs.frozen(kw_only=True)
class Agency:
    """An agency of the partnership, with the other names returns use for it.

    Examples:
        >>> uhf = Agency(
        ...     id="uhf", name="University Hospitals of Fenmarsh NHS Trust",
        ...     kind=AgencyKind.NHS_ACUTE_TRUST, sectors=Sector.BOTH, aliases=("UHF",),
        ... )
        >>> uhf.known_as("university hospitals of fenmarsh nhs trust"), uhf.known_as("UHF")
        (True, True)
    """

    id: str
    name: str
    kind: AgencyKind
    sectors: Sector
    aliases: tuple[str, ...] = ()

    def known_as(self, name: str) -> bool:
        """Whether ``name`` (any case) is this agency's id, name or an alias."""
        wanted = " ".join(name.split()).casefold()
        return any(wanted == " ".join(n.split()).casefold() for n in (self.id, self.name, *self.aliases))


@attrs.frozen(kw_only=True)
class Office:
    """An office held in the partnership, such as an independent chair shared by boards.

    ``accountable_to`` names the bodies the office holder answers to (an
    independent chair to the councils' chief executives).

    Examples:
        >>> Office(id="independent-chair", title="Independent Chair").title
        'Independent Chair'
        >>> Office(id="chair", title="Chair", accountable_to=("chief-executive",)).accountable_to
        ('chief-executive',)
    """

    id: str
    title: str
    accountable_to: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Body:
    """A board, a body under it (executive, subgroup, panel) or a body outside it.

    ``serves`` lists the boards a shared body works for (an effectiveness
    subgroup shared by the children's and adults' boards); ``chair`` names the
    office that chairs it.

    Examples:
        >>> Body(id="seg", name="Safeguarding Effectiveness Group", kind=BodyKind.SUBGROUP,
        ...      sector=Sector.BOTH, serves=("fscp", "fsab")).serves
        ('fscp', 'fsab')
    """

    id: str
    name: str
    kind: BodyKind
    sector: Sector
    serves: tuple[str, ...] = ()
    chair: str | None = None


@attrs.frozen(kw_only=True)
class Membership:
    """An agency's seat on a body, its class and its tenure.

    Examples:
        >>> seat = Membership(agency="uhf", body="fsab", member_class=MembershipClass.STATUTORY,
        ...                   start=dt.date(2023, 4, 1))
        >>> seat.held_on(dt.date(2024, 1, 1))
        True
    """

    agency: str
    body: str
    member_class: MembershipClass = attrs.field(metadata={"key": "class"})
    start: dt.date
    end: dt.date | None = None
    deputies_allowed: bool = True

    def held_on(self, day: dt.date) -> bool:
        """Whether the seat was held on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


@attrs.frozen(kw_only=True)
class Meeting:
    """A meeting of a body and the agencies that attended it.

    Examples:
        >>> Meeting(body="fsab", date=dt.date(2024, 6, 12), attended=("uhf",)).attended
        ('uhf',)
    """

    body: str
    date: dt.date
    attended: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ReportingLine:
    """A line from one body to another: reporting, annual report, accountability, escalation.

    ``start`` and ``end`` bound the line when terms of reference change; a line
    without them is in force on every day.

    Examples:
        >>> ReportingLine(source="seg", target="fscp", kind=ReportingLineKind.REPORTS_TO).target
        'fscp'
        >>> line = ReportingLine(source="cse", target="exec", end=dt.date(2024, 3, 31))
        >>> line.in_force_on(dt.date(2024, 3, 31)), line.in_force_on(dt.date(2024, 4, 1))
        (True, False)
    """

    source: str = attrs.field(metadata={"key": "from"})
    target: str = attrs.field(metadata={"key": "to"})
    kind: ReportingLineKind = ReportingLineKind.REPORTS_TO
    start: dt.date | None = None
    end: dt.date | None = None

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the line was in force on ``day``."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@attrs.frozen(kw_only=True)
class InformationSharingAgreement:
    """An agreement under which two or more agencies share information about the people they serve.

    Examples:
        >>> isa = InformationSharingAgreement(id="marac", title="MARAC information sharing agreement",
        ...     parties=("police", "csc", "idva"), start=dt.date(2020, 4, 1))
        >>> isa.binds("csc", "police"), isa.binds("csc", "school")
        (True, False)
        >>> isa.in_force_on(dt.date(2019, 1, 1))
        False
    """

    id: str
    title: str
    parties: tuple[str, ...]
    start: dt.date
    end: dt.date | None = None

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the agreement was in force on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)

    def binds(self, agency: str, other: str) -> bool:
        """Whether both agencies are parties to the agreement."""
        return agency in self.parties and other in self.parties


@attrs.frozen(kw_only=True)
class Commissioning:
    """A commissioning relationship: an agency or body that commissions a service from another.

    Examples:
        >>> c = Commissioning(commissioner="icb", provider="acute-trust", service="Acute hospital services",
        ...     start=dt.date(2022, 7, 1))
        >>> c.in_force_on(dt.date(2025, 1, 1))
        True
    """

    commissioner: str
    provider: str
    service: str
    start: dt.date
    end: dt.date | None = None

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the relationship held on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


@attrs.frozen(kw_only=True)
class StatutoryPartner:
    """A statutory partner that a board must have: one of some kinds of agency, from a date.

    Statutory status belongs to the arrangement, not to the agency: the board's
    seat must be filled by an agency of one of ``agency_kinds``.

    Examples:
        >>> need = StatutoryPartner(board="fsab", role="NHS commissioning body",
        ...     agency_kinds=(AgencyKind.ICB, AgencyKind.CCG), start=dt.date(2015, 4, 1),
        ...     citation="Care Act 2014, s.43 and Schedule 2")
        >>> need.role
        'NHS commissioning body'
    """

    board: str
    role: str
    agency_kinds: tuple[AgencyKind, ...]
    start: dt.date
    end: dt.date | None = None
    citation: str

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the requirement applied on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


@attrs.frozen(kw_only=True)
class PolicyParameters:
    """Parameters of an escalation rule, in force from a date.

    Examples:
        >>> PolicyParameters(start=dt.date(2024, 4, 1), grace_days=28).grace_days
        28
    """

    start: dt.date
    grace_days: int | None = None
    threshold: int | None = None


@attrs.frozen(kw_only=True)
class EscalationRule:
    """For one kind of concern, the body that must act and the dated parameters.

    Examples:
        >>> rule = EscalationRule(concern="overdue-action", body="exec", parameters=(
        ...     PolicyParameters(start=dt.date(2023, 4, 1), grace_days=56),
        ...     PolicyParameters(start=dt.date(2024, 4, 1), grace_days=28),
        ... ))
        >>> rule.parameters_on(dt.date(2024, 6, 30)).grace_days
        28
        >>> rule.parameters_on(dt.date(2022, 1, 1)) is None
        True
    """

    concern: str
    body: str
    description: str = ""
    parameters: tuple[PolicyParameters, ...] = ()

    def parameters_on(self, day: dt.date) -> PolicyParameters | None:
        """The parameters in force on ``day``: the latest that started on or before it."""
        started = [p for p in self.parameters if p.start <= day]
        return max(started, key=lambda p: p.start) if started else None


@attrs.frozen(kw_only=True)
class EscalationPolicy:
    """The partnership's escalation policy: one rule per kind of concern.

    Examples:
        >>> EscalationPolicy(rules=(EscalationRule(concern="no-return", body="exec"),)).for_concern("no-return").body
        'exec'
    """

    rules: tuple[EscalationRule, ...] = ()

    def for_concern(self, concern: str) -> EscalationRule | None:
        """The rule for ``concern``, if the policy has one."""
        return next((r for r in self.rules if r.concern == concern), None)


@attrs.frozen(kw_only=True)
class Partnership:
    """A safeguarding partnership: its agencies, bodies, seats, meetings and lines.

    Besides seats and reporting lines it records the information-sharing
    agreements between agencies (``information_sharing``) and who commissions
    whom (``commissioning``); both are optional.

    Examples:
        >>> from sgassure import example_workspace_path, load_workspace
        >>> p = load_workspace(example_workspace_path()).partnership
        >>> len(p.agencies) >= 12
        True
        >>> [b.id for b in p.boards()]
        ['wcsp', 'wsab']
        >>> p.shares_information("wendmoor-police", "wcc-csc", dt.date(2025, 9, 30))
        True
    """

    id: str
    name: str
    areas: tuple[str, ...]
    agencies: tuple[Agency, ...]
    offices: tuple[Office, ...] = ()
    bodies: tuple[Body, ...]
    memberships: tuple[Membership, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    reporting_lines: tuple[ReportingLine, ...] = ()
    statutory_partners: tuple[StatutoryPartner, ...] = ()
    escalation_policy: EscalationPolicy = attrs.field(factory=EscalationPolicy)
    information_sharing: tuple[InformationSharingAgreement, ...] = ()
    commissioning: tuple[Commissioning, ...] = ()

    def agency(self, agency_id: str) -> Agency:
        """The agency with id ``agency_id``.

        Raises:
            KeyError: if there is none.
        """
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise KeyError(agency_id)

    def body(self, body_id: str) -> Body:
        """The body with id ``body_id``.

        Raises:
            KeyError: if there is none.
        """
        for body in self.bodies:
            if body.id == body_id:
                return body
        raise KeyError(body_id)

    def find_agency(self, name: str) -> Agency | None:
        """The agency known by ``name`` (id, name or alias, any case), if exactly one is."""
        found = [a for a in self.agencies if a.known_as(name)]
        return found[0] if len(found) == 1 else None

    def boards(self) -> tuple[Body, ...]:
        """The safeguarding boards, in file order."""
        return tuple(b for b in self.bodies if b.kind.is_board)

    def members(self, body_id: str, on: dt.date | None = None) -> tuple[Membership, ...]:
        """Seats on ``body_id`` (held on ``on``, when given), in file order."""
        return tuple(m for m in self.memberships if m.body == body_id and (on is None or m.held_on(on)))

    def attendance(self, agency_id: str, body_id: str, start: dt.date, end: dt.date) -> tuple[int, int]:
        """Meetings of ``body_id`` attended by ``agency_id`` between two dates, and meetings held.

        Only meetings during the agency's tenure on the body count as held.
        """
        seats = [m for m in self.members(body_id) if m.agency == agency_id]
        held = [
            meeting
            for meeting in self.meetings
            if meeting.body == body_id
            and start <= meeting.date <= end
            and any(seat.held_on(meeting.date) for seat in seats)
        ]
        attended = sum(1 for meeting in held if agency_id in meeting.attended)
        return attended, len(held)

    def shares_information(self, agency_id: str, other_id: str, on: dt.date) -> bool:
        """Whether an information-sharing agreement in force on ``on`` binds both agencies."""
        return any(a.in_force_on(on) and a.binds(agency_id, other_id) for a in self.information_sharing)

    def attendance_rate(self, agency_id: str, body_id: str, start: dt.date, end: dt.date) -> Fraction | None:
        """The exact share of meetings attended, or None when none were held."""
        attended, held = self.attendance(agency_id, body_id, start, end)
        return Fraction(attended, held) if held else None
