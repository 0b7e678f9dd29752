"""Standards catalogs: frameworks, their standards, requirements and rating scales.

A :class:`Framework` is one version of a standards catalog, such as the Section 11
audit used by a children's safeguarding partnership or the Safeguarding Adults
Audit Framework (SAAF). Catalogs are versioned: a later version may renumber
requirements and says so in its :class:`Supersession` map. Two catalogs are
bundled with sgassure and load by name with :func:`bundled_framework`.

Examples:
    >>> s11 = bundled_framework("section-11")
    >>> s11.scale.is_compliant("mostly"), s11.scale.is_compliant("partly")
    (True, False)
    >>> len(s11.standards)
    9
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator
from importlib import resources

import attrs

from sgassure.partnership import AgencyKind, Sector

__all__ = [
    "Basis",
    "Framework",
    "RatingLevel",
    "RatingScale",
    "Requirement",
    "ScopeEntry",
    "Standard",
    "Supersession",
    "SurveyQuestion",
    "Theme",
    "bundled_framework",
    "bundled_frameworks",
]


class Basis(enum.StrEnum):
    """On what basis a kind of body answers to a framework.

    Examples:
        >>> Basis("statutory") is Basis.STATUTORY
        True
    """

    STATUTORY = "statutory"
    VOLUNTARY = "voluntary"
    CONTRACT = "contract"


@attrs.frozen(kw_only=True)
class ScopeEntry:
    """Kinds of body a framework applies to, on one basis, with the citation for it.

    Examples:
        >>> entry = ScopeEntry(
        ...     agency_kinds=(AgencyKind.SCHOOL,),
        ...     basis=Basis.STATUTORY,
        ...     citation="Education Act 2002, s.175 and s.157",
        ... )
        >>> entry.covers(AgencyKind.SCHOOL)
        True
    """

    agency_kinds: tuple[AgencyKind, ...]
    basis: Basis
    citation: str

    def covers(self, kind: AgencyKind) -> bool:
        """Whether this entry names ``kind``."""
        return kind in self.agency_kinds


@attrs.frozen(kw_only=True)
class RatingLevel:
    """One level of a rating scale, with the other ways returns write it.

    Examples:
        >>> RatingLevel(id="partly", label="Partly compliant", aliases=("P", "amber")).label
        'Partly compliant'
    """

    id: str
    label: str
    aliases: tuple[str, ...] = ()
    description: str = ""


@attrs.frozen(kw_only=True)
class RatingScale:
    """An ordered rating scale, best level first, with its compliance threshold.

    ``threshold`` names the lowest level that still counts as compliant; every
    level after it in ``levels`` is *below threshold*. Rules compare against the
    threshold, never against a named level, so they work on any local scale.

    Examples:
        >>> scale = RatingScale(
        ...     levels=(
        ...         RatingLevel(id="fully", label="Fully compliant"),
        ...         RatingLevel(id="mostly", label="Mostly compliant"),
        ...         RatingLevel(id="partly", label="Partly compliant", aliases=("amber",)),
        ...         RatingLevel(id="not", label="Not compliant"),
        ...     ),
        ...     threshold="mostly",
        ... )
        >>> scale.rank("fully") < scale.rank("not")
        True
        >>> scale.is_compliant("partly")
        False
        >>> scale.resolve("Amber")
        'partly'
    """

    levels: tuple[RatingLevel, ...]
    threshold: str

    @property
    def level_ids(self) -> tuple[str, ...]:
        """The level ids, best first."""
        return tuple(level.id for level in self.levels)

    def rank(self, level: str) -> int:
        """Position of ``level`` on the scale: 0 is the best.

        Raises:
            KeyError: if ``level`` is not a level id of this scale.
        """
        try:
            return self.level_ids.index(level)
        except ValueError:
            raise KeyError(level) from None

    def is_compliant(self, level: str) -> bool:
        """Whether ``level`` is at or above the compliance threshold."""
        return self.rank(level) <= self.rank(self.threshold)

    def level(self, level_id: str) -> RatingLevel:
        """The level with id ``level_id``."""
        return self.levels[self.rank(level_id)]

    def resolve(self, text: str) -> str | None:
        """The level id that ``text`` names, as an id, a label or an alias (any case), else None."""
        wanted = text.strip().casefold()
        for level in self.levels:
            names = (level.id, level.label, *level.aliases)
            if any(wanted == name.casefold() for name in names):
                return level.id
        return None


@attrs.frozen(kw_only=True)
class Requirement:
    """A numbered requirement (or compliance question) of a standard.

    ``not_relevant_to`` lists kinds of agency for which the question does not
    apply (SAAF marks some questions so: a district council does not detain
    patients); such an agency may leave it unrated.

    Examples:
        >>> Requirement(id="2.1", text="The agency has a named board-level lead.").id
        '2.1'
    """

    id: str
    text: str
    not_relevant_to: tuple[AgencyKind, ...] = ()


@attrs.frozen(kw_only=True)
class Standard:
    """A standard of a framework, its statutory source and its requirements.

    Examples:
        >>> std = bundled_framework("section-11").standards[0]
        >>> std.id, bool(std.source)
        ('1', True)
    """

    id: str
    title: str
    description: str = ""
    source: str
    requirements: tuple[Requirement, ...]


@attrs.frozen(kw_only=True)
class Theme:
    """An audit theme of the shared vocabulary, and the requirements it bears on.

    Examples:
        >>> Theme(id="voice-of-the-child", title="Voice of the child", requirements=("4.2",)).requirements
        ('4.2',)
    """

    id: str
    title: str
    requirements: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class SurveyQuestion:
    """A practitioner-survey question and the requirements its answers bear on.

    Examples:
        >>> SurveyQuestion(id="PQ1", text="I know how to escalate a concern.", requirements=("7.3",)).id
        'PQ1'
    """

    id: str
    text: str
    requirements: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Supersession:
    """What a catalog version replaces, and how requirement ids moved.

    ``requirements`` maps an id of the previous version to its id in this one;
    ids not listed kept their number.

    Examples:
        >>> move = Supersession(previous="2023", requirements={"5.3": "5.4"})
        >>> move.current_id("5.3"), move.current_id("1.1")
        ('5.4', '1.1')
    """

    previous: str
    requirements: dict[str, str] = attrs.field(factory=dict)

    def current_id(self, previous_id: str) -> str:
        """The id in this version of a requirement numbered ``previous_id`` before."""
        return self.requirements.get(previous_id, previous_id)


@attrs.frozen(kw_only=True)
class Framework:
    """One version of a standards catalog.

    Examples:
        >>> saaf = bundled_framework("saaf")
        >>> saaf.scale.threshold
        'effective'
        >>> saaf.requirement("1.1").id
        '1.1'
    """

    id: str
    title: str
    statute: str
    version: str = attrs.field(metadata={"key": "catalog_version"})
    sector: Sector
    supersedes: Supersession | None = None
    scope: tuple[ScopeEntry, ...]
    scale: RatingScale
    standards: tuple[Standard, ...]
    themes: tuple[Theme, ...] = ()
    survey_questions: tuple[SurveyQuestion, ...] = ()

    def requirements(self) -> Iterator[tuple[Standard, Requirement]]:
        """Every requirement with its standard, in catalog order."""
        for standard in self.standards:
            for requirement in standard.requirements:
                yield standard, requirement

    @functools.cached_property
    def _index(self) -> dict[str, tuple[Standard, Requirement]]:
        return {requirement.id: (standard, requirement) for standard, requirement in self.requirements()}

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with id ``requirement_id``.

        Raises:
            KeyError: if there is none.
        """
        return self._index[requirement_id][1]

    def standard_of(self, requirement_id: str) -> Standard:
        """The standard that holds requirement ``requirement_id``.

        Raises:
            KeyError: if there is none.
        """
        return self._index[requirement_id][0]

    def scope_for(self, kind: AgencyKind) -> ScopeEntry | None:
        """The scope entry that covers ``kind``, if any."""
        return next((entry for entry in self.scope if entry.covers(kind)), None)


def _bundled_files() -> list[resources.abc.Traversable]:
    root = resources.files("sgassure") / "standards"
    return sorted((f for f in root.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


@functools.cache
def bundled_frameworks() -> tuple[Framework, ...]:
    """Every bundled catalog version, sorted by id and version.

    Examples:
        >>> [(f.id, f.version) for f in bundled_frameworks()][:2]
        [('saaf', '2024'), ('section-11', '2023')]
    """
    from sgassure.workspace import parse_framework  # noqa: PLC0415 - the loaders import this module

    frameworks = [
        parse_framework(f.read_text(encoding="utf-8"), source=f"<bundled>/standards/{f.name}") for f in _bundled_files()
    ]
    return tuple(sorted(frameworks, key=lambda f: (f.id, f.version)))


def bundled_framework(framework_id: str, version: str | None = None) -> Framework:
    """A bundled catalog by id; the newest version unless ``version`` is given.

    Raises:
        KeyError: if no bundled catalog has that id (and version).

    Examples:
        >>> bundled_framework("section-11", "2023").version
        '2023'
    """
    matches = [f for f in bundled_frameworks() if f.id == framework_id and (version is None or f.version == version)]
    if not matches:
        raise KeyError(f"no bundled catalog {framework_id!r}" + (f" version {version!r}" if version else ""))
    return max(matches, key=lambda f: f.version)
