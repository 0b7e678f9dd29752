"""The appraisal file: the :class:`Appraisal`, the checks made as it loads, and the loaders.

:func:`parse_appraisal` and :func:`load_appraisal` read a file, check it
whole (ids unique, references resolved, weights summing to 100% unless the
group says otherwise, scores on their scale) and report every problem,
located, at once. :func:`example_appraisal_path` gives the example shipped with
sgassure.

Examples:
    >>> appraisal = load_appraisal(example_appraisal_path())
    >>> appraisal.id
    'wc-ipa-2025'
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from sgassure import _scoring
from sgassure._convert import structure_document
from sgassure._files import read_text
from sgassure._validate import Checker
from sgassure._yaml import Document, parse_document
from sgassure._yaml import Path as DocPath
from sgassure.appraisal_model import (
    AppraisalPartner,
    Combination,
    CriteriaGroup,
    Criterion,
    Option,
    OptionRole,
    ScorerPanel,
    ScoringScale,
    SensitivitySettings,
    Shortfall,
    WeightsProvenance,
)
from sgassure.appraisal_table import PublishedScoreTable, _decimal_text
from sgassure.errors import LoadError, Problem

__all__ = ["Appraisal", "example_appraisal_path", "load_appraisal", "parse_appraisal"]


@attrs.frozen(kw_only=True)
class Appraisal:
    """An option appraisal: options, criteria groups, weights and their provenance, and scores.

    Scores come as ``scores`` (per criterion, per option) or ``scorers``
    (several sheets), and/or as a ``published`` table.

    Examples:
        >>> a = load_appraisal(example_appraisal_path())
        >>> a.title
        'Wendmoor and Castleby Integrated Point of Access: option appraisal'
        >>> [o.id for o in a.shortlist][:2]
        ['remain', 'shared-triage']
    """

    id: str
    title: str
    programme: str
    event: dt.date | None = None
    partners: tuple[AppraisalPartner, ...] = ()
    options: tuple[Option, ...]
    groups: tuple[CriteriaGroup, ...]
    combination: Combination = Combination.SUM
    weights_provenance: WeightsProvenance | None = None
    scores: dict[str, dict[str, Fraction]] | None = None
    scorers: ScorerPanel | None = None
    published: PublishedScoreTable | None = None
    sensitivity: SensitivitySettings = SensitivitySettings()  # noqa: RUF009 (frozen, so shared safely)

    @property
    def shortlist(self) -> tuple[Option, ...]:
        """The short-listed options, in the order written."""
        return tuple(o for o in self.options if o.shortlisted)

    @property
    def preferred(self) -> Option | None:
        """The option marked preferred, if any."""
        return next((o for o in self.options if o.role == OptionRole.PREFERRED), None)

    def option(self, option_id: str) -> Option:
        """The option with this id.

        Raises:
            KeyError: no such option.
        """
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(option_id)

    def criteria(self) -> list[tuple[CriteriaGroup, Criterion]]:
        """Every criterion with its group, in the order written."""
        return [(g, c) for g in self.groups for c in g.criteria]


def _exact_percent(value: Fraction) -> str:
    """A share as a percentage, exactly when it ends (99.9%), else rounded with the fraction (~43.33% (13/30))."""
    text = _scoring.decimal_text(value * 100, 6)
    return f"{text}%" if not text.startswith("~") else f"~{_scoring.show(value * 100, 2)}% ({value})"


def _on_steps(scale: ScoringScale) -> bool:
    step = scale.step
    return step is not None and step > 0 and (scale.max - scale.min) % step == 0


def _check_grid(c: Checker, at: DocPath, grid: Mapping[str, Mapping[str, Fraction]], a: Appraisal) -> None:
    groups = {crit.id: g for g, crit in a.criteria()}
    criteria = {crit.id: crit for _, crit in a.criteria()}
    options = [o.id for o in a.options]
    short = [o.id for o in a.shortlist]
    for crit_id, row in grid.items():
        if not c.ref((*at, crit_id), crit_id, list(criteria), "criterion"):
            continue
        if criteria[crit_id].not_applicable:
            c.add((*at, crit_id), f"criterion {crit_id!r} is not applicable; it takes no score")
            continue
        scale = groups[crit_id].scale
        for option_id, score in row.items():
            if not c.ref((*at, crit_id, option_id), option_id, options, "option"):
                continue
            if option_id not in short:
                c.add(
                    (*at, crit_id, option_id),
                    f"option {option_id!r} is on the long list only; only the short list is scored",
                )
            elif not scale.min <= score <= scale.max:
                c.add(
                    (*at, crit_id, option_id),
                    f"score {_decimal_text(score)} is outside the scale {scale.min} to {scale.max}",
                )
            elif scale.step is not None and _on_steps(scale) and (score - scale.min) % scale.step:
                c.add(
                    (*at, crit_id, option_id),
                    f"score {_decimal_text(score)} is not on the scale's steps of {scale.step}",
                )
    for group in a.groups:
        for crit in group.applicable:
            missing = [o for o in short if o not in grid.get(crit.id, {})]
            if missing:
                where = (*at, crit.id) if crit.id in grid else at
                c.add(
                    where,
                    f"no score for option{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(repr(m) for m in missing)} on criterion {crit.id!r}",
                )


def _check_table(c: Checker, t: PublishedScoreTable, a: Appraisal) -> None:
    at: DocPath = ("published",)
    criteria = [crit.id for _, crit in a.criteria()]
    short = [o.id for o in a.shortlist]
    groups = [g.id for g in a.groups]

    def columns(path: DocPath, cells: Mapping[str, object], what: str) -> None:
        for option_id in cells:
            if c.ref((*path, option_id), option_id, short, "short-listed option"):
                continue
        missing = [o for o in short if o not in cells]
        if missing:
            c.add(path, f"no {what} printed for {', '.join(repr(m) for m in missing)}")

    for crit_id in t.weights:
        c.ref((*at, "weights", crit_id), crit_id, criteria, "criterion")
    if t.weights and (missing := [k for k in criteria if k not in t.weights]):
        c.add((*at, "weights"), f"no weight printed for {', '.join(repr(m) for m in missing)}")
    for crit_id, row in t.rows.items():
        if c.ref((*at, "rows", crit_id), crit_id, criteria, "criterion"):
            columns((*at, "rows", crit_id), row, "weighted score")
        for option_id, figure in row.items():
            if figure.percent:
                c.add(
                    (*at, "rows", crit_id, option_id),
                    f"a weighted score is a number, not a percentage; got {figure.text!r}",
                )
    if missing := [k for k in criteria if k not in t.rows]:
        c.add((*at, "rows"), f"no row printed for {', '.join(repr(m) for m in missing)}")
    for group_id, row in t.subtotals.items():
        if c.ref((*at, "subtotals", group_id), group_id, groups, "group"):
            columns((*at, "subtotals", group_id), row, "subtotal")
    if t.subtotals and (missing := [g for g in groups if g not in t.subtotals]):
        c.add((*at, "subtotals"), f"no subtotal printed for {', '.join(repr(m) for m in missing)}")
    if t.totals:
        columns((*at, "totals"), t.totals, "total")
    if t.ranks:
        columns((*at, "ranks"), t.ranks, "rank")


def _problems(a: Appraisal, doc: Document) -> list[Problem]:
    c = Checker(doc)
    partners = [p.id for p in a.partners]
    c.unique(((("partners", i, "id"), p.id) for i, p in enumerate(a.partners)), "partner id")
    c.unique(((("options", i, "id"), o.id) for i, o in enumerate(a.options)), "option id")
    c.unique(((("groups", i, "id"), g.id) for i, g in enumerate(a.groups)), "group id")
    c.unique(
        ((("groups", i, "criteria", j, "id"), k.id) for i, g in enumerate(a.groups) for j, k in enumerate(g.criteria)),
        "criterion id",
    )
    for role in (OptionRole.BUSINESS_AS_USUAL, OptionRole.PREFERRED):
        holders = [(i, o) for i, o in enumerate(a.options) if o.role == role]
        for i, o in holders[1:]:
            c.add(("options", i, "role"), f"a second {role.value} option {o.id!r} (the first is {holders[0][1].id!r})")
    for i, o in enumerate(a.options):
        at: DocPath = ("options", i)
        if o.role == OptionRole.PREFERRED and not o.shortlisted:
            c.add((*at, "shortlisted"), f"the preferred option {o.id!r} must be on the short list")
        c.unique((((*at, "dimensions", j), d) for j, d in enumerate(o.dimensions)), "dimension")
        for j, risk in enumerate(o.risks):
            for name in ("likelihood", "impact"):
                if not 1 <= getattr(risk, name) <= 5:
                    c.add((*at, "risks", j, name), f"expected 1 to 5; got {getattr(risk, name)}")
        c.unique((((*at, "costs", j, "year"), line.year) for j, line in enumerate(o.costs)), "cost year")
        c.unique((((*at, "savings", j, "year"), line.year) for j, line in enumerate(o.savings)), "savings year")
        for j, line in enumerate(o.costs):
            for name in ("capital", "revenue"):
                value = getattr(line, name)
                if value is not None and value < 0:
                    c.add((*at, "costs", j, name), f"expected a cost of 0 or more; got {value}")
        c.unique((((*at, "sign_up", j, "partner"), s.partner) for j, s in enumerate(o.sign_up)), "sign-up by")
        for j, s in enumerate(o.sign_up):
            c.ref((*at, "sign_up", j, "partner"), s.partner, partners, "partner")
    for i, g in enumerate(a.groups):
        at = ("groups", i)
        scale = g.scale
        if scale.min < 0:
            c.add((*at, "scale", "min"), f"expected a scale starting at 0 or above; got {scale.min}")
        if scale.max <= scale.min:
            c.add((*at, "scale", "max"), f"expected a maximum above the minimum ({scale.min}); got {scale.max}")
        if scale.step is not None and (scale.step <= 0 or (scale.max - scale.min) % scale.step):
            c.add((*at, "scale", "step"), f"expected a step that divides {scale.min} to {scale.max}; got {scale.step}")
        if not g.criteria:
            c.add((*at, "criteria"), "a group needs at least one criterion")
        for j, k in enumerate(g.criteria):
            kat: DocPath = (*at, "criteria", j)
            if k.not_applicable and k.weight is not None:
                c.add((*kat, "weight"), "a criterion not applicable takes no weight")
            elif not k.not_applicable and k.weight is None:
                c.add(kat, "give a weight, or not_applicable: true with a reason")
            if k.reason is not None and not k.not_applicable:
                c.add((*kat, "reason"), "a reason is given only with not_applicable: true")
            if k.weight is not None and k.weight.value > 1:
                c.add((*kat, "weight"), f"expected a weight of at most 100%; got {k.weight.written!r}")
        total = g.weight_sum
        if g.applicable and all(k.weight is not None for k in g.applicable):
            if total == 0:
                c.add((*at, "criteria"), "the weights sum to 0%")
            elif total != 1 and g.shortfall == Shortfall.REFUSE:
                c.add(
                    (*at, "criteria"),
                    f"the weights sum to {_exact_percent(total)}, not 100%; write 'shortfall: as-written' to use them "
                    "as written or 'shortfall: renormalise' to scale them to 100%",
                )
        if a.combination == Combination.WEIGHTED and g.weight is None:
            c.add(at, "give the group a weight (the file's combination is 'weighted')")
        if a.combination == Combination.SUM and g.weight is not None:
            c.add((*at, "weight"), "a group weight is used only with 'combination: weighted'")
        if g.weight is not None and g.weight.value == 0:
            c.add((*at, "weight"), "expected a group weight above 0%")
    if a.combination == Combination.WEIGHTED and all(g.weight is not None for g in a.groups):
        total = sum((g.weight.value for g in a.groups if g.weight is not None), Fraction(0))
        if total != 1:
            c.add(("groups",), f"the group weights sum to {_exact_percent(total)}, not 100%")
    if a.scores is None and a.scorers is None and a.published is None:
        c.add((), "give the scores: 'scores', 'scorers' or a 'published' table")
    if a.scores is not None and a.scorers is not None:
        c.add(("scorers",), "give either 'scores' or 'scorers', not both")
    if a.scores is not None:
        _check_grid(c, ("scores",), a.scores, a)
    if a.scorers is not None:
        panel = a.scorers
        if not panel.sheets:
            c.add(("scorers", "sheets"), "a panel needs at least one sheet")
        if panel.disagreement_limit < 0:
            c.add(("scorers", "disagreement_limit"), f"expected 0 or more; got {panel.disagreement_limit}")
        c.unique(((("scorers", "sheets", i, "scorer"), s.scorer) for i, s in enumerate(panel.sheets)), "scorer")
        for i, sheet in enumerate(panel.sheets):
            _check_grid(c, ("scorers", "sheets", i, "scores"), sheet.scores, a)
    if a.published is not None:
        _check_table(c, a.published, a)
    settings = a.sensitivity
    if not 0 <= settings.band.value < 1:
        c.add(
            ("sensitivity", "band"),
            f"expected a band from 0% up to (not including) 100%; got {settings.band.written!r}",
        )
    if not 0 <= settings.samples <= 1_000_000:
        c.add(("sensitivity", "samples"), f"expected 0 to 1,000,000 samples; got {settings.samples}")
    if settings.robust_share.value > 1:
        c.add(("sensitivity", "robust_share"), f"expected at most 100%; got {settings.robust_share.written!r}")
    return c.problems


def _locate(table: PublishedScoreTable, doc: Document) -> PublishedScoreTable:
    at: DocPath = ("published",)

    def put(figure: Any, path: DocPath) -> Any:
        return attrs.evolve(figure, location=doc.locate((*at, *path)))

    return attrs.evolve(
        table,
        weights={k: put(f, ("weights", k)) for k, f in table.weights.items()},
        rows={k: {o: put(f, ("rows", k, o)) for o, f in row.items()} for k, row in table.rows.items()},
        subtotals={k: {o: put(f, ("subtotals", k, o)) for o, f in row.items()} for k, row in table.subtotals.items()},
        totals={o: put(f, ("totals", o)) for o, f in table.totals.items()},
        ranks={o: put(f, ("ranks", o)) for o, f in table.ranks.items()},
    )


def parse_appraisal(text: str, *, source: str = "<string>") -> Appraisal:
    """Read an appraisal file's text.

    Args:
        text: the YAML text, starting with ``version: 1``.
        source: the name problems are reported against.

    Returns:
        The appraisal, with printed figures located in the source.

    Raises:
        LoadError: for every problem found, located, all at once.

    Examples:
        >>> parse_appraisal("version: 1\\nid: x\\ntitle: X\\nprogramme: P\\noptions: []\\ngroups: []\\n",
        ...     source="x.yaml")
        Traceback (most recent call last):
        ...
        sgassure.errors.LoadError: x.yaml:1:1: give the scores: 'scores', 'scorers' or a 'published' table
    """
    doc = parse_document(text, source=source)
    appraisal = structure_document(doc, Appraisal)
    problems = _problems(appraisal, doc)
    if problems:
        raise LoadError(problems)
    if appraisal.published is not None:
        appraisal = attrs.evolve(appraisal, published=_locate(appraisal.published, doc))
    return appraisal


def load_appraisal(path: str | os.PathLike[str]) -> Appraisal:
    """Read an appraisal file.

    Args:
        path: the YAML file.

    Returns:
        The appraisal.

    Raises:
        LoadError: the file is missing, unreadable or has problems (all reported, located).

    Examples:
        >>> len(load_appraisal(example_appraisal_path()).shortlist)
        6
    """
    text, name = read_text(path)
    return parse_appraisal(text, source=name)


def example_appraisal_path(name: str = "ipa-appraisal.yaml") -> Path:
    """A file of the example appraisal shipped with sgassure (fictional).

    Args:
        name: ``ipa-appraisal.yaml`` (the scorers' sheets) or ``ipa-obc-table.yaml`` (the table as published).

    Returns:
        The path of the file.

    Examples:
        >>> example_appraisal_path().name
        'ipa-appraisal.yaml'
    """
    with resources.as_file(resources.files("sgassure") / "examples" / "appraisal" / name) as path:
        return Path(path)
