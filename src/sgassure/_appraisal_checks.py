"""The completeness check's rules and their tests, for :func:`sgassure.appraisal.check_appraisal` (private)."""

from __future__ import annotations

from sgassure.appraisal_file import Appraisal
from sgassure.appraisal_model import OptionDimension, OptionRole
from sgassure.appraisal_results import recheck_table, score_appraisal
from sgassure.appraisal_sensitivity import _standing, analyse_sensitivity
from sgassure.appraisal_table import TableFigure, _decimal_text
from sgassure.errors import SgassureError
from sgassure.findings import Check, Explanation, Finding
from sgassure.rules import Severity

# --- Completeness -------------------------------------------------------------------------------------------

PACK = "appraisal"
GREEN_BOOK = "HM Treasury Green Book (2022)"
GATEWAY = "IPA Gateway review (business case)"

_RULES: tuple[tuple[str, str, str], ...] = (
    (
        "appraisal.no-baseline",
        "No business-as-usual or do-minimum baseline on the short list",
        f"{GREEN_BOOK}: the short list includes business as usual and a do-minimum option",
    ),
    (
        "appraisal.short-list-too-short",
        "Short list of fewer than four options",
        f"{GREEN_BOOK}: a short list of at least four options, including the baselines",
    ),
    (
        "appraisal.dimension-not-considered",
        "An options-framework dimension was never considered",
        f"{GREEN_BOOK}: the options framework (scope, service solution, service delivery, implementation, funding)",
    ),
    (
        "appraisal.no-risk-appraisal",
        "Short-listed option without its own risk appraisal",
        f"{GREEN_BOOK}: risks appraised for every short-listed option; {GATEWAY}",
    ),
    (
        "appraisal.no-costs",
        "Short-listed option without capital and revenue costs",
        f"{GREEN_BOOK}: costs of every short-listed option; {GATEWAY}",
    ),
    (
        "appraisal.savings-not-split",
        "Savings not split into cash-releasing, non-cash and costs avoided",
        f"{GREEN_BOOK}: benefits classified as cash-releasing, non-cash-releasing and costs avoided",
    ),
    (
        "appraisal.na-without-reason",
        "Criterion not applicable without a reason",
        f"{GATEWAY}: the appraisal explains what it leaves out",
    ),
    (
        "appraisal.weights-without-provenance",
        "Weights without provenance",
        f"{GATEWAY}: who set the weights, how and when, and any dissent",
    ),
    ("appraisal.no-preferred", "No option marked preferred", f"{GREEN_BOOK}: the preferred option"),
    (
        "appraisal.no-partner-sign-up",
        "Preferred option without written partner sign-up",
        f"{GATEWAY}: stakeholders' written support for the preferred option",
    ),
    (
        "appraisal.preferred-not-first",
        "Preferred option does not rank first",
        f"{GREEN_BOOK}: the preferred option follows from the appraisal",
    ),
    (
        "appraisal.lead-within-noise",
        "Preferred option leads by less than the precision of the inputs",
        f"{GATEWAY}: a robust choice, not one ahead by less than the rounding",
    ),
    (
        "appraisal.published-figure",
        "Published figure does not follow from the table",
        f"{GATEWAY}: the business case's figures can be reproduced",
    ),
)
_RULE_INDEX = {rule: i for i, (rule, _, _) in enumerate(_RULES)}


class _Findings:
    def __init__(self, a: Appraisal) -> None:
        self.a = a
        self.found: list[Finding] = []

    def add(
        self,
        rule: str,
        severity: Severity,
        subject: dict[str, str],
        message: str,
        why: Explanation,
    ) -> None:
        _, title, source = _RULES[_RULE_INDEX[rule]]
        self.found.append(
            Finding(
                pack=PACK,
                rule=rule,
                title=title,
                severity=severity,
                source=source,
                subject={"appraisal": self.a.id, **subject},
                message=message,
                explanation=why,
                rule_index=_RULE_INDEX[rule],
            )
        )


def _why(checks: tuple[Check, ...], absent: tuple[str, ...] = (), counted: tuple[str, ...] = ()) -> Explanation:
    return Explanation(conditions=checks, absent=absent, counted=counted)


def _check(fact: str, field: str, test: str, value: object, alias: str | None = None) -> Check:
    return Check(
        alias=alias or fact,
        fact=fact,
        field=field,
        test=test,
        value=repr(value) if isinstance(value, str) else str(value),
    )


def _option_checks(f: _Findings, a: Appraisal) -> None:
    for o in a.shortlist:
        subject = {"option": o.id}
        if not o.risks:
            f.add(
                "appraisal.no-risk-appraisal",
                Severity.HIGH,
                subject,
                f"short-listed option {o.label!r} has no risk appraisal of its own: its risks are not recorded",
                _why((_check("option", "risks", "at least one risk recorded", 0),), (f"no risk for option {o.id!r}",)),
            )
        missing = [name for name in ("capital", "revenue") if all(getattr(line, name) is None for line in o.costs)]
        if missing:
            what = " and ".join(missing)
            f.add(
                "appraisal.no-costs",
                Severity.HIGH,
                subject,
                f"short-listed option {o.label!r} has no {what} costs stated (write 0 where there are none)",
                _why(
                    tuple(_check("option", f"costs.{m}", "stated in at least one year", "none") for m in missing),
                    (f"no {what} costs for option {o.id!r}",),
                ),
            )
        if o.role == OptionRole.BUSINESS_AS_USUAL:
            continue
        kinds = {
            "cash_releasing": "cash-releasing",
            "non_cash": "non-cash efficiencies",
            "costs_avoided": "costs avoided",
        }
        missing = [label for name, label in kinds.items() if all(getattr(line, name) is None for line in o.savings)]
        if missing:
            f.add(
                "appraisal.savings-not-split",
                Severity.MEDIUM,
                subject,
                f"short-listed option {o.label!r} does not split its savings: {', '.join(missing)} not stated "
                "(write 0 where there are none)",
                _why(
                    tuple(
                        _check("option", f"savings.{name}", "stated in at least one year", "none")
                        for name, label in kinds.items()
                        if label in missing
                    ),
                    tuple(f"no {m} for option {o.id!r}" for m in missing),
                ),
            )


def _framework_checks(f: _Findings, a: Appraisal) -> None:
    short = a.shortlist
    for role in (OptionRole.BUSINESS_AS_USUAL, OptionRole.DO_MINIMUM):
        if not any(o.role == role for o in short):
            elsewhere = [o.id for o in a.options if o.role == role]
            where = f" (option {elsewhere[0]!r} is on the long list only)" if elsewhere else ""
            f.add(
                "appraisal.no-baseline",
                Severity.HIGH,
                {"role": role.value},
                f"the short list has no {role.value.replace('-', ' ')} option{where}: options cannot be compared "
                "with the baseline",
                _why(
                    (_check("shortlist", "role", f"includes {role.value}", ", ".join(o.role.value for o in short)),),
                    (f"no short-listed {role.value} option",),
                ),
            )
    if len(short) < 4:
        f.add(
            "appraisal.short-list-too-short",
            Severity.MEDIUM,
            {},
            f"the short list has {len(short)} option{'s' if len(short) != 1 else ''}; at least four are expected",
            _why((_check("shortlist", "count", "at least 4", len(short)),), (), tuple(o.id for o in short)),
        )
    considered = {d for o in a.options for d in o.dimensions}
    varied = [d.value for d in OptionDimension if d in considered]
    for d in OptionDimension:
        if d in considered:
            continue
        severity = Severity.HIGH if d == OptionDimension.SCOPE else Severity.MEDIUM
        lead = (
            "scope was never a choice"
            if d == OptionDimension.SCOPE
            else f"{d.value.replace('-', ' ')} was never a choice"
        )
        f.add(
            "appraisal.dimension-not-considered",
            severity,
            {"dimension": d.value},
            f"no option on the long or short list varies {d.value.replace('-', ' ')}: {lead} "
            f"(options vary only {', '.join(varied) or 'nothing'})",
            _why(
                (_check("options", "dimensions", f"some option varies {d.value}", ", ".join(varied) or "none"),),
                (f"no option varies {d.value}",),
            ),
        )


def _criteria_checks(f: _Findings, a: Appraisal) -> None:
    for g in a.groups:
        for crit in g.criteria:
            if crit.not_applicable and not (crit.reason or "").strip():
                f.add(
                    "appraisal.na-without-reason",
                    Severity.LOW,
                    {"criterion": crit.id},
                    f"criterion {crit.label!r} is marked not applicable without a reason",
                    _why(
                        (_check("criterion", "not_applicable", "has a reason", True),), (f"no reason for {crit.id!r}",)
                    ),
                )
        if g.applicable and g.provenance is None and a.weights_provenance is None:
            f.add(
                "appraisal.weights-without-provenance",
                Severity.MEDIUM,
                {"group": g.id},
                f"the weights of {g.label!r} have no provenance: who set them, how and when is not recorded",
                _why(
                    (_check("group", "provenance", "recorded for the group or the appraisal", "none"),),
                    (f"no provenance for the weights of {g.id!r}",),
                ),
            )


def _preferred_checks(f: _Findings, a: Appraisal) -> None:
    preferred = a.preferred
    if preferred is None:
        f.add(
            "appraisal.no-preferred",
            Severity.INFO,
            {},
            "no option is marked preferred",
            _why((_check("options", "role", "one option is preferred", "none"),), ("no preferred option",)),
        )
        return
    signed = {s.partner for s in preferred.sign_up if s.document.strip()}
    for partner in a.partners:
        if partner.id in signed:
            continue
        f.add(
            "appraisal.no-partner-sign-up",
            Severity.HIGH,
            {"option": preferred.id, "partner": partner.id},
            f"{partner.name} has not signed up in writing to the preferred option {preferred.label!r}",
            _why(
                (
                    _check(
                        "option",
                        "sign_up",
                        "a dated written sign-up by each partner",
                        ", ".join(sorted(signed)) or "none",
                    ),
                ),
                (f"no written sign-up by {partner.id!r}",),
            ),
        )


def _robustness_checks(f: _Findings, a: Appraisal) -> None:
    preferred = a.preferred
    if preferred is None:
        return
    try:
        s = analyse_sensitivity(a, samples=0)
    except SgassureError:
        return
    if s.leader != preferred.id:
        ranks = score_appraisal(a).ranks
        f.add(
            "appraisal.preferred-not-first",
            Severity.HIGH,
            {"option": preferred.id},
            _standing(preferred.id, ranks, preferred.label),
            _why((_check("option", "rank", "is 1, alone", ranks[preferred.id]),)),
        )
        return
    if s.margin is not None and s.margin <= s.noise:
        f.add(
            "appraisal.lead-within-noise",
            Severity.HIGH,
            {"option": preferred.id},
            f"the preferred option {preferred.label!r} leads {s.runner_up!r} by {_decimal_text(s.margin)}, within "
            f"the precision of the inputs ({_decimal_text(s.noise)}: rounding {_decimal_text(s.rounding_noise)}, "
            f"weights {_decimal_text(s.weights_noise)}): not a robust choice",
            _why((_check("option", "lead", f"above the noise {_decimal_text(s.noise)}", _decimal_text(s.margin)),)),
        )


def _table_checks(f: _Findings, a: Appraisal) -> None:
    if a.published is None:
        return
    for d in recheck_table(a).discrepancies:
        subject = {"figure": d.figure.value}
        subject |= {k: v for k, v in (("group", d.group), ("criterion", d.criterion), ("option", d.option)) if v}
        severity = Severity.HIGH if d.figure == TableFigure.RANK else Severity.MEDIUM
        where = f" ({d.location})" if d.location is not None else ""
        f.add(
            "appraisal.published-figure",
            severity,
            subject,
            d.message + where,
            _why((_check("table", d.figure.value, f"follows: {d.expected}", d.printed),)),
        )
