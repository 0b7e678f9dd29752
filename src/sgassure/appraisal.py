"""Option appraisal for integration programmes: weighted criteria, ranks, sensitivity and a completeness check.

An :class:`Appraisal` file holds a programme's options (from business as usual
upwards, long- and short-listed with the reason), groups of criteria (programme
objectives, critical success factors) with their weights or a reason they do not
apply, a scoring scale per group, and scores in one of the forms people hold
them: raw scores, several scorers' sheets, or a published table of weighted
scores as printed.

- :func:`score_appraisal` scores exactly (fractions, never binary floats):
  weighted scores, group subtotals, totals and competition ranks (ties share a
  rank: 1, 1, 3). Figures are rounded half-up to 2 decimals only for display.
- :func:`recheck_table` re-checks a published table figure by figure within its
  rounding and returns the raw scores and weights it implies as intervals.
- :func:`analyse_sensitivity` gives the switching value of every weight and
  score, the lead against the precision of the inputs, and Monte Carlo rank
  stability from a seed.
- :func:`check_appraisal` reports what HM Treasury Green Book practice and
  Gateway reviews look for as :class:`~sgassure.findings.Finding` values
  (pack ``appraisal``).

The work is split by topic, and every name is importable from here:
:mod:`sgassure.appraisal_model` (options, criteria, weights and scorers),
:mod:`sgassure.appraisal_table` (published tables as printed),
:mod:`sgassure.appraisal_file` (the appraisal and its loaders),
:mod:`sgassure.appraisal_results` (results and the re-check of a table) and
:mod:`sgassure.appraisal_sensitivity` (switching values and rank stability);
the completeness check is here.

Examples:
    >>> appraisal = load_appraisal(example_appraisal_path())
    >>> result = score_appraisal(appraisal)
    >>> [(o, result.ranks[o]) for o in result.options][:3]
    [('remain', 6), ('shared-triage', 5), ('virtual-hub', 4)]
"""

from __future__ import annotations

from sgassure._appraisal_checks import GATEWAY as GATEWAY  # noqa: PLC0414 (re-exported)
from sgassure._appraisal_checks import GREEN_BOOK as GREEN_BOOK  # noqa: PLC0414 (re-exported)
from sgassure._appraisal_checks import PACK as PACK  # noqa: PLC0414 (re-exported)
from sgassure._appraisal_checks import (
    _criteria_checks,
    _Findings,
    _framework_checks,
    _option_checks,
    _preferred_checks,
    _robustness_checks,
    _table_checks,
)
from sgassure.appraisal_file import Appraisal, example_appraisal_path, load_appraisal, parse_appraisal
from sgassure.appraisal_model import (
    Aggregation,
    AppraisalPartner,
    Combination,
    CostLine,
    CriteriaGroup,
    Criterion,
    Dissent,
    Option,
    OptionDimension,
    OptionRole,
    Risk,
    SavingsLine,
    ScorerPanel,
    ScorerSheet,
    ScoringScale,
    SensitivitySettings,
    Share,
    Shortfall,
    SignUp,
    WeightsProvenance,
)
from sgassure.appraisal_results import (
    AppraisalResult,
    Disagreement,
    ScoreSource,
    TableRecheck,
    recheck_table,
    score_appraisal,
)
from sgassure.appraisal_results import _model as _model  # noqa: PLC0414 (re-exported for the tests)
from sgassure.appraisal_sensitivity import (
    RankStability,
    ScoreSwitch,
    Sensitivity,
    WeightSwitch,
    analyse_sensitivity,
)
from sgassure.appraisal_table import DISPLAY_PLACES as DISPLAY_PLACES  # noqa: PLC0414 (re-exported)
from sgassure.appraisal_table import (
    ImpliedScore,
    ImpliedWeight,
    Interval,
    PrintedFigure,
    PrintedRank,
    PublishedScoreTable,
    TableDiscrepancy,
    TableFigure,
)
from sgassure.findings import Finding, finding_sort_key

__all__ = [
    "Aggregation",
    "Appraisal",
    "AppraisalPartner",
    "AppraisalResult",
    "Combination",
    "CostLine",
    "CriteriaGroup",
    "Criterion",
    "Disagreement",
    "Dissent",
    "ImpliedScore",
    "ImpliedWeight",
    "Interval",
    "Option",
    "OptionDimension",
    "OptionRole",
    "PrintedFigure",
    "PrintedRank",
    "PublishedScoreTable",
    "RankStability",
    "Risk",
    "SavingsLine",
    "ScoreSource",
    "ScoreSwitch",
    "ScorerPanel",
    "ScorerSheet",
    "ScoringScale",
    "Sensitivity",
    "SensitivitySettings",
    "Share",
    "Shortfall",
    "SignUp",
    "TableDiscrepancy",
    "TableFigure",
    "TableRecheck",
    "WeightSwitch",
    "WeightsProvenance",
    "analyse_sensitivity",
    "check_appraisal",
    "example_appraisal_path",
    "load_appraisal",
    "parse_appraisal",
    "recheck_table",
    "score_appraisal",
]


def check_appraisal(appraisal: Appraisal) -> tuple[Finding, ...]:
    """Check an appraisal against Green Book practice and what Gateway reviews ask; findings, sorted.

    Findings are of pack ``appraisal`` with subject ``{"appraisal": id, ...}``
    (``option``, ``partner``, ``criterion``, ``group``, ``dimension``, ``role``
    or ``figure`` as the rule needs), sorted by
    :func:`~sgassure.findings.finding_sort_key`. The rules, in order:

    - ``appraisal.no-baseline`` (high): no business-as-usual, or no
      do-minimum, option on the short list;
    - ``appraisal.short-list-too-short`` (medium): fewer than four short-listed options;
    - ``appraisal.dimension-not-considered`` (high for scope, else medium): no
      option on the long or short list varies that framework dimension;
    - ``appraisal.no-risk-appraisal`` (high): a short-listed option with no risk of its own;
    - ``appraisal.no-costs`` (high): a short-listed option with no capital, or no revenue, cost stated;
    - ``appraisal.savings-not-split`` (medium): a short-listed option (other
      than business as usual) with cash-releasing savings, non-cash
      efficiencies or costs avoided never stated;
    - ``appraisal.na-without-reason`` (low): a criterion not applicable without a reason;
    - ``appraisal.weights-without-provenance`` (medium): a group whose weights
      have no provenance (neither its own nor the appraisal's);
    - ``appraisal.no-preferred`` (info): no option marked preferred;
    - ``appraisal.no-partner-sign-up`` (high): a partner without a dated written sign-up to the preferred option;
    - ``appraisal.preferred-not-first`` (high): the preferred option is not ranked first alone;
    - ``appraisal.lead-within-noise`` (high): the preferred option leads by no
      more than the precision of the inputs (see :class:`Sensitivity`);
    - ``appraisal.published-figure`` (medium; high for a rank): a printed
      figure that does not follow (see :func:`recheck_table`).

    Args:
        appraisal: the appraisal.

    Returns:
        The findings, most serious first.

    Examples:
        >>> found = check_appraisal(load_appraisal(example_appraisal_path()))
        >>> found[0].fingerprint
        'appraisal/appraisal.dimension-not-considered/appraisal=wc-ipa-2025/dimension=scope'
    """
    f = _Findings(appraisal)
    _framework_checks(f, appraisal)
    _option_checks(f, appraisal)
    _criteria_checks(f, appraisal)
    _preferred_checks(f, appraisal)
    _robustness_checks(f, appraisal)
    _table_checks(f, appraisal)
    return tuple(sorted(f.found, key=finding_sort_key))
