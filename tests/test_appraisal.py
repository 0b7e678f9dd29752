"""Option appraisal: golden figures, published-table re-checks, loading, completeness checks and the command."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import re
import textwrap
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import sgassure
from sgassure import _cli_appraise
from sgassure._yaml import dump_yaml
from sgassure.appraisal import (
    Appraisal,
    AppraisalResult,
    ScoreSource,
    TableFigure,
    analyse_sensitivity,
    check_appraisal,
    example_appraisal_path,
    load_appraisal,
    parse_appraisal,
    recheck_table,
    score_appraisal,
)
from sgassure.errors import LoadError, SgassureError
from sgassure.findings import Finding

SCHEMA = json.loads((Path(sgassure.__file__).parent / "schemas" / "appraisal.schema.json").read_text())

# Hand-worked: weights 25%, 11/60, 20%, 11/60, n/a, 11/60 (sum exactly 100%) and three of 33.3% (99.9%, as
# written); option a's 5 on c1 weighs exactly 1.665 (shown 1.67); a and b tie on 73/30 + 999/250 = 2411/375.
GOLDEN = """\
version: 1
id: golden
title: Golden appraisal
programme: Test programme
event: 2025-03-12
partners:
  - {id: p1, name: Partner One}
weights_provenance: {set_by: Programme board, method: Workshop, date: 2025-02-10}
options:
  - {id: bau, label: Business as usual, role: business-as-usual, shortlisted: true, shortlist_reason: Baseline}
  - {id: dm, label: Do minimum, role: do-minimum, dimensions: [service-solution], shortlisted: true,
     shortlist_reason: Least change}
  - {id: a, label: Option A, role: preferred, dimensions: [service-delivery], shortlisted: true,
     shortlist_reason: Meets all}
  - {id: b, label: Option B, dimensions: [service-delivery], shortlisted: true, shortlist_reason: Alternative}
groups:
  - id: obj
    label: Programme objectives
    scale: {min: 0, max: 3, step: 1}
    criteria:
      - {id: o1, label: Objective one, weight: 25%}
      - {id: o2, label: Objective two, weight: 11/60}
      - {id: o3, label: Objective three, weight: 20%}
      - {id: o4, label: Objective four, weight: 11/60}
      - {id: o5, label: Objective five, not_applicable: true, reason: Not scored at the event}
      - {id: o6, label: Objective six, weight: 11/60}
  - id: csf
    label: Critical success factors
    scale: {min: 0, max: 5, step: 1}
    shortfall: as-written
    criteria:
      - {id: c1, label: Strategic fit, weight: 33.3%}
      - {id: c2, label: Acceptability, weight: 33.3%}
      - {id: c3, label: Achievability, weight: 33.3%}
      - {id: c4, label: Affordability, not_applicable: true, reason: Financial case}
      - {id: c5, label: Value for money, not_applicable: true, reason: Economic case}
scores:
  o1: {bau: 0, dm: 1, a: 3, b: 3}
  o2: {bau: 0, dm: 1, a: 2, b: 3}
  o3: {bau: 1, dm: 1, a: 2, b: 2}
  o4: {bau: 0, dm: 2, a: 3, b: 2}
  o6: {bau: 1, dm: 1, a: 2, b: 2}
  c1: {bau: 1, dm: 2, a: 5, b: 4}
  c2: {bau: 2, dm: 3, a: 4, b: 5}
  c3: {bau: 1, dm: 2, a: 3, b: 3}
"""

# The golden appraisal's table as a correct publication would print it: shown subtotals and totals differ
# from the sums of shown parts by rounding (a's objectives: parts 2.44, subtotal 2.43; bau: 0.38 + 1.33 is
# 1.71, total 1.72).
TABLE = """\
published:
  source: OBC table 3
  weights: {o1: "25%", o2: "18.3%", o3: "20%", o4: "18.3%", o5: "N/A", o6: "18.3%", c1: "33.3%", c2: "33.3%",
            c3: "33.3%", c4: "N/A", c5: "N/A"}
  rows:
    o1: {bau: "0.00", dm: "0.25", a: "0.75", b: "0.75"}
    o2: {bau: "0.00", dm: "0.18", a: "0.37", b: "0.55"}
    o3: {bau: "0.20", dm: "0.20", a: "0.40", b: "0.40"}
    o4: {bau: "0.00", dm: "0.37", a: "0.55", b: "0.37"}
    o5: {bau: "N/A", dm: "N/A", a: "N/A", b: "N/A"}
    o6: {bau: "0.18", dm: "0.18", a: "0.37", b: "0.37"}
    c1: {bau: "0.33", dm: "0.67", a: "1.67", b: "1.33"}
    c2: {bau: "0.67", dm: "1.00", a: "1.33", b: "1.67"}
    c3: {bau: "0.33", dm: "0.67", a: "1.00", b: "1.00"}
    c4: {bau: "N/A", dm: "N/A", a: "N/A", b: "N/A"}
    c5: {bau: "N/A", dm: "N/A", a: "N/A", b: "N/A"}
  subtotals:
    obj: {bau: "0.38", dm: "1.18", a: "2.43", b: "2.43"}
    csf: {bau: "1.33", dm: "2.33", a: "4.00", b: "4.00"}
  totals: {bau: "1.72", dm: "3.51", a: "6.43", b: "6.43"}
  ranks: {bau: "4", dm: "3", a: "=1", b: "=1"}
"""

TABLE_ONLY = GOLDEN.split("scores:\n", maxsplit=1)[0] + TABLE


def golden() -> Appraisal:
    """The golden appraisal."""
    return parse_appraisal(GOLDEN, source="golden.yaml")


def with_table(table: str = TABLE, *, raw: bool = True) -> Appraisal:
    """The golden appraisal with a published table, with or without its raw scores."""
    return parse_appraisal((GOLDEN if raw else GOLDEN.split("scores:\n", maxsplit=1)[0]) + table, source="table.yaml")


# --- Golden figures ---------------------------------------------------------------------------------------------


def test_golden_figures_are_exact() -> None:
    """Weights, subtotals, totals and ranks are exact fractions: 11/60, 99.9% as written, tied totals 2411/375."""
    r = score_appraisal(golden())
    assert r.source == ScoreSource.SCORES
    assert r.weights == {
        "o1": Fraction(1, 4),
        "o2": Fraction(11, 60),
        "o3": Fraction(1, 5),
        "o4": Fraction(11, 60),
        "o6": Fraction(11, 60),
        "c1": Fraction(333, 1000),
        "c2": Fraction(333, 1000),
        "c3": Fraction(333, 1000),
    }
    assert r.weight_sums == {"obj": Fraction(1), "csf": Fraction(999, 1000)}
    assert r.not_applicable == ("o5", "c4", "c5")
    assert r.weighted["c1"]["a"] == Fraction(1665, 1000)
    assert r.subtotals == {
        "obj": {"bau": Fraction(23, 60), "dm": Fraction(71, 60), "a": Fraction(73, 30), "b": Fraction(73, 30)},
        "csf": {
            "bau": Fraction(1332, 1000),
            "dm": Fraction(2331, 1000),
            "a": Fraction(3996, 1000),
            "b": Fraction(3996, 1000),
        },
    }
    assert r.totals == {
        "bau": Fraction(2573, 1500),
        "dm": Fraction(10543, 3000),
        "a": Fraction(2411, 375),
        "b": Fraction(2411, 375),
    }
    assert r.ranks == {"bau": 4, "dm": 3, "a": 1, "b": 1}
    assert r.leader is None


GOLDEN_TABLE = """\
Weighted scores
                           Weight     bau      dm       a       b
Programme objectives
  o1 Objective one          25.0%    0.00    0.25    0.75    0.75
  o2 Objective two          18.3%    0.00    0.18    0.37    0.55
  o3 Objective three        20.0%    0.20    0.20    0.40    0.40
  o4 Objective four         18.3%    0.00    0.37    0.55    0.37
  o5 Objective five           N/A     N/A     N/A     N/A     N/A
  o6 Objective six          18.3%    0.18    0.18    0.37    0.37
  Subtotal                 100.0%    0.38    1.18    2.43    2.43
Critical success factors
  c1 Strategic fit          33.3%    0.33    0.67    1.67    1.33
  c2 Acceptability          33.3%    0.67    1.00    1.33    1.67
  c3 Achievability          33.3%    0.33    0.67    1.00    1.00
  c4 Affordability            N/A     N/A     N/A     N/A     N/A
  c5 Value for money          N/A     N/A     N/A     N/A     N/A
  Subtotal (as-written)     99.9%    1.33    2.33    4.00    4.00
Total                                1.72    3.51    6.43    6.43
Rank                                    4       3       1       1
"""


def test_golden_text_pins_every_displayed_figure() -> None:
    """The published layout shows each figure rounded half-up (1.665 as 1.67), N/A rows, 99.9% and shared rank 1."""
    report = _cli_appraise.build_report(golden())
    text = _cli_appraise.render_text(report)
    start = text.index("Weighted scores\n")
    assert text[start : text.index("\n\n", start) + 1] == GOLDEN_TABLE


def test_display_rounds_half_up_only_when_shown() -> None:
    """Rounding is half-up at display (1.665 -> 1.67, 0.125 -> 0.13, -0.125 -> -0.13); totals use exact values."""
    show = AppraisalResult.display
    assert [show(Fraction(1665, 1000)), show(Fraction(1, 8)), show(Fraction(-1, 8)), show(Fraction(11, 60))] == [
        "1.67",
        "0.13",
        "-0.13",
        "0.18",
    ]
    r = score_appraisal(golden())
    shown_parts = sum(Fraction(show(r.subtotals[g]["bau"])) for g in ("obj", "csf"))
    assert (show(shown_parts), show(r.totals["bau"])) == ("1.71", "1.72")


def test_groups_weighted_against_each_other() -> None:
    """With combination: weighted, the total is each subtotal times its group's weight (40% and 60% here)."""
    text = GOLDEN.replace("    label: Programme objectives\n", "    label: Programme objectives\n    weight: 40%\n")
    text = text.replace(
        "    label: Critical success factors\n", "    label: Critical success factors\n    weight: 3/5\n"
    )
    r = score_appraisal(parse_appraisal(text + "combination: weighted\n"))
    assert r.group_weights == {"obj": Fraction(2, 5), "csf": Fraction(3, 5)}
    assert r.totals["a"] == Fraction(2, 5) * Fraction(73, 30) + Fraction(3, 5) * Fraction(3996, 1000)
    assert r.totals["bau"] == Fraction(2, 5) * Fraction(23, 60) + Fraction(3, 5) * Fraction(1332, 1000)


def test_renormalised_shortfall_scales_the_group_to_100() -> None:
    """shortfall: renormalise turns three weights of 33.3% into exactly one third each."""
    r = score_appraisal(parse_appraisal(GOLDEN.replace("shortfall: as-written", "shortfall: renormalise")))
    assert (r.weights["c1"], r.weight_sums["csf"], r.subtotals["csf"]["a"]) == (Fraction(1, 3), 1, Fraction(4))


def test_scorers_aggregate_by_mean_or_median_and_report_disagreement() -> None:
    """Three sheets aggregate exactly (mean 5/3, median 2) and a spread above the limit is reported."""
    sheets = []
    for scorer, a_on_o1 in (("Head of ASC", 3), ("Patient flow lead", 0), ("Community lead", 2)):
        scores = "\n".join(
            f"        {line.strip()}" for line in GOLDEN.split("scores:\n", maxsplit=1)[1].splitlines()
        ).replace("o1: {bau: 0, dm: 1, a: 3, b: 3}", f"o1: {{bau: 0, dm: 1, a: {a_on_o1}, b: 3}}")
        sheets.append(f"    - scorer: {scorer}\n      scores:\n{scores}\n")
    base = GOLDEN.split("scores:\n", maxsplit=1)[0]
    panel = "scorers:\n  aggregation: HOW\n  disagreement_limit: 2\n  sheets:\n" + "".join(sheets)
    mean = score_appraisal(parse_appraisal(base + panel.replace("HOW", "mean")))
    median = score_appraisal(parse_appraisal(base + panel.replace("HOW", "median")))
    assert (mean.scores["o1"]["a"], median.scores["o1"]["a"], mean.source) == (
        Fraction(5, 3),
        Fraction(2),
        ScoreSource.SCORERS,
    )
    assert [(d.criterion, d.option, d.spread, d.limit) for d in mean.disagreements] == [
        ("o1", "a", Fraction(3), Fraction(2))
    ]
    assert mean.disagreements[0].scores == (
        ("Head of ASC", Fraction(3)),
        ("Patient flow lead", Fraction(0)),
        ("Community lead", Fraction(2)),
    )


# --- Sensitivity -----------------------------------------------------------------------------------------------


def test_example_switching_values_are_hand_checked() -> None:
    """obj-3 rising 4/105 (20% to 23.81%) levels integrated with integrated-plus; a lead of 0.05 is within 0.091."""
    s = analyse_sensitivity(load_appraisal(example_appraisal_path()), samples=0)
    switches = {w.criterion: w for w in s.weight_switches}
    assert (switches["obj-3"].rise, switches["obj-3"].rise_to) == (Fraction(4, 105), Fraction(5, 21))
    assert (switches["obj-1"].fall, switches["obj-1"].fall_rivals) == (Fraction(-3, 76), ("integrated-plus",))
    assert (switches["csf-1"].rise, switches["csf-1"].fall) == (None, None)
    score = {(x.criterion, x.option): x for x in s.score_switches}
    assert score[("obj-1", "integrated")].change == Fraction(-1, 5)
    assert score[("obj-1", "integrated-plus")].change == Fraction(1, 5)
    assert score[("obj-1", "remain")].change is None
    assert (s.margin, s.rounding_noise, s.weights_noise, s.noise) == (
        Fraction(1, 20),
        Fraction(2, 25),
        Fraction(11, 1000),
        Fraction(91, 1000),
    )
    assert (s.robust, s.reasons[0]) == (
        False,
        "its lead of 0.05 over 'integrated-plus' is within the noise of the inputs (0.091)",
    )


def test_monte_carlo_is_reproducible_from_the_seed() -> None:
    """The same seed gives the same counts; another seed gives other counts; the file's seed is the default."""
    a = load_appraisal(example_appraisal_path())
    first = analyse_sensitivity(a, samples=2000).stability
    again = analyse_sensitivity(a, samples=2000, seed=a.sensitivity.seed).stability
    other = analyse_sensitivity(a, samples=2000, seed=7).stability
    assert first is not None
    assert again is not None
    assert other is not None
    assert first == again
    assert first.first != other.first
    assert first.first["integrated"] + first.first["integrated-plus"] == 2000
    assert first.seed == 20250312


def test_robust_when_the_lead_clears_the_noise_and_the_samples() -> None:
    """A preferred option ahead by far more than the noise, first in every sample, is a robust choice."""
    text = GOLDEN.replace("o1: {bau: 0, dm: 1, a: 3, b: 3}", "o1: {bau: 0, dm: 1, a: 3, b: 0}")
    s = analyse_sensitivity(parse_appraisal(text), samples=500)
    assert (s.leader, s.runner_up, s.margin, s.robust, s.reasons) == ("a", "b", Fraction(3, 4), True, ())
    assert s.stability is not None
    assert s.stability.first["a"] == 500


def test_nothing_weighted_ties_every_option() -> None:
    """With every criterion not applicable, all options tie at 0 and share first place in every sample."""

    def change(data: dict[str, Any]) -> None:
        for criterion in data["groups"][0]["criteria"]:
            criterion.pop("weight", None)
            criterion.update(not_applicable=True, reason="Later")
        data["scores"] = {}

    s = analyse_sensitivity(_clean(change), samples=20)
    assert s.stability is not None
    assert (s.leader, s.margin, s.stability.first, s.stability.first_alone) == (
        None,
        Fraction(0),
        {"bau": 20, "dm": 20, "a": 20, "b": 20},
        {"bau": 0, "dm": 0, "a": 0, "b": 0},
    )


# --- Re-checking a published table -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [True, False], ids=["with-raw-scores", "table-alone"])
def test_correct_table_differing_only_by_rounding_is_accepted(raw: bool) -> None:
    """A correct table whose shown subtotals and totals differ from sums of shown parts by rounding passes."""
    r = recheck_table(with_table(raw=raw))
    assert (r.figures, r.discrepancies) == (11 + 44 + 8 + 4 + 4, ())


def test_planted_arithmetic_error_is_found() -> None:
    """A total printed 3.61 where its parts give 3.51 is reported, located, and nothing else is."""
    r = recheck_table(with_table(TABLE.replace('dm: "3.51"', 'dm: "3.61"')))
    assert [(d.key, d.printed, d.expected, d.message) for d in r.discrepancies] == [
        ("total/dm", "3.61", "3.51", "total of 'dm' printed 3.61; its parts give 3.51")
    ]
    assert str(r.discrepancies[0].location) == "table.yaml:65:29"


def test_planted_rank_error_is_found() -> None:
    """Ranks swapped against the totals are each reported with the rank the totals give."""
    r = recheck_table(with_table(TABLE.replace('ranks: {bau: "4", dm: "3"', 'ranks: {bau: "3", dm: "4"'), raw=False))
    assert [(d.key, d.printed, d.expected) for d in r.discrepancies] == [("rank/bau", "3", "4"), ("rank/dm", "4", "3")]
    assert r.discrepancies[0].figure == TableFigure.RANK


def test_weighted_score_and_printed_weight_errors_are_found() -> None:
    """A weighted score the raw score does not give, and a printed weight the effective weight does not show."""
    table = TABLE.replace('o2: {bau: "0.00", dm: "0.18", a: "0.37"', 'o2: {bau: "0.00", dm: "0.18", a: "0.38"')
    table = table.replace('o4: "18.3%"', 'o4: "18.4%"')
    found = recheck_table(with_table(table)).discrepancies
    assert [(d.key, d.expected, d.message) for d in found] == [
        ("weight/o4", "18.3%", "weight of 'o4' printed 18.4%; the weight used, 11/60, shows as 18.3%"),
        (
            "weighted-score/o2/a",
            "0.37",
            "weighted score of 'a' on 'o2' printed 0.38; the weight 11/60 times the score 2 is ~0.3667",
        ),
    ]
    alone = recheck_table(with_table(table, raw=False)).discrepancies
    assert [d.key for d in alone] == ["weight/o4", "weighted-score/o2/a"]
    assert alone[1].message == (
        "weighted score of 'a' on 'o2' printed 0.38; no score on the scale 0 to 3 times the weight 11/60 rounds to it"
    )


def test_not_applicable_rows_must_print_na() -> None:
    """A figure printed against a criterion not applicable, or N/A against one that applies, does not follow."""
    table = TABLE.replace('o5: {bau: "N/A"', 'o5: {bau: "0.00"').replace('c1: {bau: "0.33"', 'c1: {bau: "N/A"')
    found = recheck_table(with_table(table)).discrepancies
    assert [(d.key, d.expected, d.message) for d in found] == [
        ("weighted-score/o5/bau", "N/A", "'o5' is not applicable, yet 'bau' is printed 0.00"),
        ("weighted-score/c1/bau", "0.33", "'c1' applies, yet 'bau' is printed N/A"),
    ]


def test_table_implies_scores_and_weights_as_intervals() -> None:
    """Printed 0.75 at 25% pins the score 3; the table alone narrows 25% to [149/600, 151/600] and 18.3% to itself."""
    r = recheck_table(with_table(raw=False))
    scores = {(s.criterion, s.option): s for s in r.implied_scores}
    assert scores[("o1", "a")].points == (Fraction(3),)
    assert scores[("o1", "a")].interval is not None
    assert (scores[("o1", "a")].interval.low, scores[("o1", "a")].interval.high) == (3, 3)
    assert all(s.points is not None and len(s.points) == 1 for s in r.implied_scores)
    weights = {w.criterion: w.interval for w in r.implied_weights}
    assert weights["o1"] is not None
    assert (weights["o1"].low, weights["o1"].high) == (
        Fraction(149, 600),
        Fraction(151, 600),
    )
    assert weights["o2"] is not None
    assert str(weights["o2"]) == "[0.1825, 0.1835]"
    assert Fraction(11, 60) in weights["o2"]


def test_unstepped_scale_leaves_implied_scores_as_intervals() -> None:
    """On a scale without steps, printed 0.37 at 11/60 admits scores from 1.9909... to 2.0455..., not one point."""
    table_text = GOLDEN.split("scores:\n", maxsplit=1)[0].replace(
        "scale: {min: 0, max: 3, step: 1}", "scale: {min: 0, max: 3}"
    )
    r = recheck_table(parse_appraisal(table_text + TABLE))
    found = next(s for s in r.implied_scores if (s.criterion, s.option) == ("o2", "a"))
    assert found.points is None
    assert found.interval is not None
    assert (found.interval.low, found.interval.high) == (Fraction(365, 1000) * 60 / 11, Fraction(375, 1000) * 60 / 11)
    with pytest.raises(SgassureError, match="the published table does not pin every raw score"):
        score_appraisal(parse_appraisal(table_text + TABLE))


def test_table_alone_is_scored_from_the_scores_it_pins() -> None:
    """With only the published table, the scores it pins reproduce the exact results of the raw scores."""
    alone = score_appraisal(parse_appraisal(TABLE_ONLY))
    assert alone.source == ScoreSource.PUBLISHED
    assert (alone.totals, alone.ranks) == (score_appraisal(golden()).totals, score_appraisal(golden()).ranks)


def test_example_table_recheck() -> None:
    """The example OBC table's planted subtotal typo and swapped ranks are found, located, and nothing else."""
    r = recheck_table(load_appraisal(example_appraisal_path("ipa-obc-table.yaml")))
    assert [(d.key, d.printed, d.expected, d.location.line if d.location else 0) for d in r.discrepancies] == [
        ("subtotal/objectives/co-located", "2.10", "2.00 (2.01 as its printed parts add up)", 56),
        ("rank/remain", "5", "6", 59),
        ("rank/shared-triage", "6", "5", 59),
    ]
    assert r.source == "Outline business case v0.9 (April 2025), table 7"


# --- Loading ---------------------------------------------------------------------------------------------------


def _problems(text: str) -> list[str]:
    with pytest.raises(LoadError) as info:
        parse_appraisal(text, source="a.yaml")
    return str(info.value).splitlines()


def test_weights_not_summing_to_100_need_a_declared_shortfall() -> None:
    """Three weights of 33.3% are refused unless the group says how the shortfall is handled."""
    assert _problems(GOLDEN.replace("    shortfall: as-written\n", "")) == [
        "a.yaml:31:7: groups[1].criteria: the weights sum to 99.9%, not 100%; write 'shortfall: as-written' to use "
        "them as written or 'shortfall: renormalise' to scale them to 100%"
    ]


def test_bad_weights_and_shares_are_located() -> None:
    """A weight that is not a share, a weight on a criterion not applicable and a missing weight are all reported."""
    text = GOLDEN.replace("weight: 20%}", "weight: twenty}").replace("reason: Financial case}", "weight: 5%}")
    assert _problems(text) == [
        "a.yaml:23:50: groups[0].criteria[2].weight: expected a share like '25%', '33.3%', '11/60' or 0.25; "
        "got a string ('twenty')"
    ]
    text = GOLDEN.replace("{id: o3, label: Objective three, weight: 20%}", "{id: o3, label: Objective three}")
    text = text.replace("not_applicable: true, reason: Financial case}", "not_applicable: true, weight: 5%}")
    assert _problems(text) == [
        "a.yaml:23:9: groups[0].criteria[2]: give a weight, or not_applicable: true with a reason",
        "a.yaml:35:70: groups[1].criteria[3].weight: a criterion not applicable takes no weight",
    ]


def test_scores_are_checked_against_the_scale_and_the_short_list() -> None:
    """Out-of-scale, off-step, missing, unknown and not-applicable scores are each reported, with hints."""
    text = GOLDEN.replace("o1: {bau: 0, dm: 1, a: 3, b: 3}", "o1: {bau: 4, dm: 1.5, a: 3, bb: 3}")
    text = text.replace(
        "  c3: {bau: 1, dm: 2, a: 3, b: 3}\n", "  c3: {bau: 1, dm: 2, a: 3, b: 3}\n  c4: {a: 1}\n  c9: {a: 1}\n"
    )
    assert _problems(text) == [
        "a.yaml:38:7: scores.o1: no score for option 'b' on criterion 'o1'",
        "a.yaml:38:13: scores.o1.bau: score 4 is outside the scale 0 to 3",
        "a.yaml:38:20: scores.o1.dm: score 1.5 is not on the scale's steps of 1",
        "a.yaml:38:35: scores.o1.bb: unknown option 'bb'; did you mean 'b'?",
        "a.yaml:46:7: scores.c4: criterion 'c4' is not applicable; it takes no score",
        "a.yaml:47:7: scores.c9: unknown criterion 'c9'",
    ]


def test_published_figures_must_be_quoted_as_printed() -> None:
    """An unquoted figure loses its printed digits and is refused, as are malformed figures and ranks."""
    table = TABLE.replace('o1: {bau: "0.00"', "o1: {bau: 0.00").replace('a: "=1"', 'a: "=1="')
    assert _problems(GOLDEN + table) == [
        'a.yaml:51:15: published.rows.o1.bau: expected the figure as printed, in quotes ("2.00", "18.3%", '
        '"N/A"); got a decimal number (0.0): a number loses the digits it was printed with',
        "a.yaml:66:33: published.ranks.a: expected a rank as printed, like '1', '=2' or '2='; got '=1='",
    ]


def test_structure_and_references_are_checked() -> None:
    """Two preferred options, an unknown sign-up partner, scores and scorers together: all reported at once."""
    text = GOLDEN.replace("role: do-minimum,", "role: preferred,").replace(
        "shortlist_reason: Alternative}",
        "shortlist_reason: Alternative, sign_up: [{partner: p2, date: 2025-04-01, document: Letter}]}",
    )
    text += "scorers: {aggregation: mean, disagreement_limit: 1, sheets: []}\n"
    assert _problems(text) == [
        "a.yaml:13:36: options[2].role: a second preferred option 'a' (the first is 'dm')",
        "a.yaml:15:132: options[3].sign_up[0].partner: unknown partner 'p2'",
        "a.yaml:46:10: scorers: give either 'scores' or 'scorers', not both",
        "a.yaml:46:61: scorers.sheets: a panel needs at least one sheet",
    ]


def test_unknown_field_with_hint_and_version() -> None:
    """An unknown key gets a did-you-mean hint; a file without 'version: 1' is refused."""
    assert _problems(GOLDEN.replace("partners:", "partnres:")) == [
        "a.yaml:6:1: partnres: unknown field; did you mean 'partners'?"
    ]
    assert _problems(GOLDEN.replace("version: 1\n", "")) == [
        "a.yaml:1:1: required field 'version' missing; write 'version: 1' at the top"
    ]


def test_load_appraisal_reports_a_missing_file(tmp_path: Path) -> None:
    """A missing file is a located load error, not an exception from the file system."""
    with pytest.raises(LoadError, match="file not found"):
        load_appraisal(tmp_path / "missing.yaml")


# --- Completeness -----------------------------------------------------------------------------------------------

CLEAN: dict[str, Any] = {
    "version": 1,
    "id": "clean",
    "title": "Clean appraisal",
    "programme": "Test programme",
    "partners": [{"id": "p1", "name": "Partner One"}, {"id": "p2", "name": "Partner Two"}],
    "weights_provenance": {"set_by": "Board", "method": "Workshop", "date": dt.date(2025, 1, 10)},
    "options": [
        {"id": "bau", "label": "Business as usual", "role": "business-as-usual", "dimensions": ["scope"]},
        {"id": "dm", "label": "Do minimum", "role": "do-minimum", "dimensions": ["service-solution"]},
        {"id": "a", "label": "Option A", "role": "preferred", "dimensions": ["service-delivery"]},
        {"id": "b", "label": "Option B", "dimensions": ["implementation"]},
        {"id": "fund", "label": "Pooled budget", "dimensions": ["funding"], "shortlisted": False},
    ],
    "groups": [
        {
            "id": "g",
            "label": "Objectives",
            "scale": {"min": 0, "max": 3, "step": 1},
            "criteria": [
                {"id": "c1", "label": "One", "weight": "1/2"},
                {"id": "c2", "label": "Two", "weight": "25%"},
                {"id": "c3", "label": "Three", "weight": "25%"},
                {"id": "c4", "label": "Four", "not_applicable": True, "reason": "Later"},
            ],
        }
    ],
    "scores": {
        "c1": {"bau": 0, "dm": 1, "a": 3, "b": 2},
        "c2": {"bau": 0, "dm": 1, "a": 2, "b": 2},
        "c3": {"bau": 1, "dm": 1, "a": 2, "b": 2},
    },
}
for _option in CLEAN["options"]:
    _option.setdefault("shortlisted", True)
    _option["shortlist_reason"] = "Reason"
    if _option["shortlisted"]:
        _option["risks"] = [{"description": "Risk", "likelihood": 2, "impact": 3, "owner": "Owner"}]
        _option["costs"] = [{"year": "2025-26", "capital": 0, "revenue": 100}]
        _option["savings"] = [{"year": "2026-27", "cash_releasing": 0, "non_cash": 5, "costs_avoided": 1}]
CLEAN["options"][2]["sign_up"] = [
    {"partner": "p1", "date": dt.date(2025, 4, 1), "document": "Letter"},
    {"partner": "p2", "date": dt.date(2025, 4, 2), "document": "Minute"},
]


def _clean(change: Any = None) -> Appraisal:
    data = copy.deepcopy(CLEAN)
    if change is not None:
        change(data)
    return parse_appraisal(dump_yaml(data), source="clean.yaml")


def _fired(change: Any) -> list[tuple[str, str, dict[str, str]]]:
    return [(f.rule, f.severity.value, f.subject) for f in check_appraisal(_clean(change))]


def test_clean_appraisal_has_no_findings() -> None:
    """An appraisal with baselines, four options, every dimension, risks, costs, split savings, provenance,
    reasons, sign-up and a clear lead passes every check."""
    assert check_appraisal(_clean()) == ()


def _option(data: dict[str, Any], option_id: str) -> dict[str, Any]:
    return next(o for o in data["options"] if o["id"] == option_id)


def _drop_option(data: dict[str, Any], option_id: str) -> None:
    _option(data, option_id)["shortlisted"] = False
    for row in data["scores"].values():
        row.pop(option_id)


def test_no_baseline_fires() -> None:
    """A business-as-usual option on the long list only, and no do-minimum at all, are each a finding."""

    def change(data: dict[str, Any]) -> None:
        _drop_option(data, "bau")
        _option(data, "dm")["role"] = "other"
        data["options"].append(
            {
                "id": "x",
                "label": "X",
                "shortlisted": True,
                "shortlist_reason": "R",
                "risks": CLEAN["options"][0]["risks"],
                "costs": CLEAN["options"][0]["costs"],
                "savings": CLEAN["options"][1]["savings"],
            }
        )
        for row in data["scores"].values():
            row["x"] = 0

    found = check_appraisal(_clean(change))
    assert [(f.rule, f.subject, f.message) for f in found if f.rule == "appraisal.no-baseline"] == [
        (
            "appraisal.no-baseline",
            {"appraisal": "clean", "role": "business-as-usual"},
            "the short list has no business as usual option (option 'bau' is on the long list only): options "
            "cannot be compared with the baseline",
        ),
        (
            "appraisal.no-baseline",
            {"appraisal": "clean", "role": "do-minimum"},
            "the short list has no do minimum option: options cannot be compared with the baseline",
        ),
    ]
    assert found[0].fingerprint == "appraisal/appraisal.no-baseline/appraisal=clean/role=business-as-usual"


def test_short_list_too_short_fires() -> None:
    """Three short-listed options are a medium finding; four are not."""
    assert _fired(lambda d: _drop_option(d, "b")) == [
        ("appraisal.short-list-too-short", "medium", {"appraisal": "clean"})
    ]


def test_dimension_not_considered_fires() -> None:
    """Scope never varied is high; another dimension never varied is medium; the message lists what was varied."""

    def change(data: dict[str, Any]) -> None:
        _option(data, "bau")["dimensions"] = []
        _option(data, "fund")["dimensions"] = ["service-delivery"]

    found = check_appraisal(_clean(change))
    assert [(f.rule, f.severity.value, f.subject) for f in found] == [
        ("appraisal.dimension-not-considered", "high", {"appraisal": "clean", "dimension": "scope"}),
        ("appraisal.dimension-not-considered", "medium", {"appraisal": "clean", "dimension": "funding"}),
    ]
    assert found[0].message == (
        "no option on the long or short list varies scope: scope was never a choice (options vary only "
        "service-solution, service-delivery, implementation)"
    )


def test_no_risk_appraisal_fires() -> None:
    """A short-listed option without risks of its own is a high finding naming it."""
    found = check_appraisal(_clean(lambda d: _option(d, "b").pop("risks")))
    assert [(f.rule, f.subject, f.explanation.lines()) for f in found] == [
        (
            "appraisal.no-risk-appraisal",
            {"appraisal": "clean", "option": "b"},
            ["option.risks = 0: at least one risk recorded", "no risk for option 'b'"],
        )
    ]


def test_no_costs_fires() -> None:
    """Revenue costs never stated (capital alone) are a finding; an explicit 0 is not."""

    def change(data: dict[str, Any]) -> None:
        _option(data, "b")["costs"] = [{"year": "2025-26", "capital": 10}]

    found = check_appraisal(_clean(change))
    assert [(f.rule, f.message) for f in found] == [
        (
            "appraisal.no-costs",
            "short-listed option 'Option B' has no revenue costs stated (write 0 where there are none)",
        )
    ]


def test_savings_not_split_fires_except_for_business_as_usual() -> None:
    """Savings with only cash-releasing stated are a finding; business as usual needs no savings."""

    def change(data: dict[str, Any]) -> None:
        _option(data, "a")["savings"] = [{"year": "2026-27", "cash_releasing": 90}]
        _option(data, "bau").pop("savings")

    found = check_appraisal(_clean(change))
    assert [(f.rule, f.subject, f.message) for f in found] == [
        (
            "appraisal.savings-not-split",
            {"appraisal": "clean", "option": "a"},
            "short-listed option 'Option A' does not split its savings: non-cash efficiencies, costs avoided not "
            "stated (write 0 where there are none)",
        )
    ]


def test_na_without_reason_fires() -> None:
    """A criterion not applicable without a reason is a low finding."""
    found = _fired(lambda d: d["groups"][0]["criteria"][3].pop("reason"))
    assert found == [("appraisal.na-without-reason", "low", {"appraisal": "clean", "criterion": "c4"})]


def test_weights_without_provenance_fires() -> None:
    """Weights with no provenance, for the group or the appraisal, are a finding; a group's own provenance is enough."""
    assert _fired(lambda d: d.pop("weights_provenance")) == [
        ("appraisal.weights-without-provenance", "medium", {"appraisal": "clean", "group": "g"})
    ]

    def own(data: dict[str, Any]) -> None:
        data["groups"][0]["provenance"] = data.pop("weights_provenance")

    assert _fired(own) == []


def test_no_partner_sign_up_fires() -> None:
    """A partner with no written sign-up (none, or one naming no document) is a high finding per partner."""
    assert [
        f.subject for f in check_appraisal(_clean(lambda d: _option(d, "a")["sign_up"][0].update(document=" ")))
    ] == [{"appraisal": "clean", "option": "a", "partner": "p1"}]
    found = check_appraisal(_clean(lambda d: _option(d, "a")["sign_up"].pop()))
    assert [(f.rule, f.subject, f.message) for f in found] == [
        (
            "appraisal.no-partner-sign-up",
            {"appraisal": "clean", "option": "a", "partner": "p2"},
            "Partner Two has not signed up in writing to the preferred option 'Option A'",
        )
    ]


def test_no_preferred_and_preferred_not_first_fire() -> None:
    """No preferred option is an info finding; a preferred option that does not rank first is a high one."""
    assert _fired(lambda d: _option(d, "a").pop("role")) == [("appraisal.no-preferred", "info", {"appraisal": "clean"})]

    def swap(data: dict[str, Any]) -> None:
        _option(data, "a")["role"] = "other"
        _option(data, "b")["role"] = "preferred"
        _option(data, "b")["sign_up"] = _option(data, "a")["sign_up"]

    found = check_appraisal(_clean(swap))
    assert [(f.rule, f.message) for f in found] == [
        ("appraisal.preferred-not-first", "the preferred option 'Option B' ranks 2; 'a' ranks first")
    ]

    def tie(data: dict[str, Any]) -> None:
        data["scores"]["c1"]["b"] = 3

    found = check_appraisal(_clean(tie))
    assert [(f.rule, f.message) for f in found] == [
        ("appraisal.preferred-not-first", "the preferred option 'Option A' shares the first rank with 'b'")
    ]
    s = analyse_sensitivity(_clean(tie), samples=0)
    assert (s.leader, s.margin, s.robust, s.reasons) == (
        None,
        Fraction(0),
        False,
        ("the preferred option 'a' shares the first rank with 'b'",),
    )


def test_lead_within_noise_fires() -> None:
    """A lead of 0.01 against noise of 0.04 (rounding 3 x 0.01, weights 34% and 33% each +-0.005) is not robust."""

    def change(data: dict[str, Any]) -> None:
        for criterion, weight in zip(data["groups"][0]["criteria"], ("34%", "33%", "33%"), strict=False):
            criterion["weight"] = weight
        data["scores"]["c1"].update({"a": 3, "b": 2})
        data["scores"]["c2"].update({"a": 2, "b": 3})
        data["scores"]["c3"].update({"a": 2, "b": 2})

    found = check_appraisal(_clean(change))
    assert [(f.rule, f.message) for f in found] == [
        (
            "appraisal.lead-within-noise",
            "the preferred option 'Option A' leads 'b' by 0.01, within the precision of the inputs (0.04: rounding "
            "0.03, weights 0.01): not a robust choice",
        )
    ]


def test_published_figure_fires_for_each_discrepancy() -> None:
    """Each figure of a published table that does not follow is a finding; a rank error is high."""
    found = [
        f
        for f in check_appraisal(with_table(TABLE.replace('ranks: {bau: "4", dm: "3"', 'ranks: {bau: "3", dm: "4"')))
        if f.rule == "appraisal.published-figure"
    ]
    assert [(f.severity.value, f.subject) for f in found] == [
        ("high", {"appraisal": "golden", "figure": "rank", "option": "bau"}),
        ("high", {"appraisal": "golden", "figure": "rank", "option": "dm"}),
    ]
    assert found[0].message == "rank of 'bau' printed 3; the totals give 4 (table.yaml:66:16)"
    assert [f.rule for f in check_appraisal(with_table())].count("appraisal.published-figure") == 0


def _mutation(rule: str) -> Any:
    def no_baseline(d: dict[str, Any]) -> None:
        _option(d, "dm")["role"] = "other"

    def lead(d: dict[str, Any]) -> None:
        for criterion, weight in zip(d["groups"][0]["criteria"], ("34%", "33%", "33%"), strict=False):
            criterion["weight"] = weight
        d["scores"]["c1"].update({"a": 3, "b": 2})
        d["scores"]["c2"].update({"a": 2, "b": 3})
        d["scores"]["c3"].update({"a": 2, "b": 2})

    def dimension(d: dict[str, Any]) -> None:
        _option(d, "fund")["dimensions"] = []

    mutations = {
        "appraisal.no-baseline": no_baseline,
        "appraisal.short-list-too-short": lambda d: _drop_option(d, "b"),
        "appraisal.dimension-not-considered": dimension,
        "appraisal.no-risk-appraisal": lambda d: _option(d, "dm").pop("risks"),
        "appraisal.no-costs": lambda d: _option(d, "dm").pop("costs"),
        "appraisal.savings-not-split": lambda d: _option(d, "dm").pop("savings"),
        "appraisal.na-without-reason": lambda d: d["groups"][0]["criteria"][3].pop("reason"),
        "appraisal.weights-without-provenance": lambda d: d.pop("weights_provenance"),
        "appraisal.no-preferred": lambda d: _option(d, "a").pop("role"),
        "appraisal.no-partner-sign-up": lambda d: _option(d, "a").pop("sign_up"),
        "appraisal.preferred-not-first": lambda d: d["scores"]["c1"].update({"b": 3}),
        "appraisal.lead-within-noise": lead,
    }
    return mutations[rule]


@pytest.mark.parametrize(
    "rule",
    [
        "appraisal.no-baseline",
        "appraisal.short-list-too-short",
        "appraisal.dimension-not-considered",
        "appraisal.no-risk-appraisal",
        "appraisal.no-costs",
        "appraisal.savings-not-split",
        "appraisal.na-without-reason",
        "appraisal.weights-without-provenance",
        "appraisal.no-preferred",
        "appraisal.no-partner-sign-up",
        "appraisal.preferred-not-first",
        "appraisal.lead-within-noise",
    ],
)
def test_each_check_fires_on_its_gap_and_not_without_it(rule: str) -> None:
    """Each completeness rule is silent on the clean appraisal and fires once its gap is made."""
    assert rule not in {f.rule for f in check_appraisal(_clean())}
    assert rule in {f.rule for f in check_appraisal(_clean(_mutation(rule)))}


def test_example_findings_are_the_planted_ones() -> None:
    """The example appraisal gives exactly the findings its README lists, most serious first."""
    found: tuple[Finding, ...] = check_appraisal(load_appraisal(example_appraisal_path()))
    assert [f.fingerprint.removeprefix("appraisal/") for f in found] == [
        "appraisal.dimension-not-considered/appraisal=wc-ipa-2025/dimension=scope",
        "appraisal.no-risk-appraisal/appraisal=wc-ipa-2025/option=shared-triage",
        "appraisal.no-risk-appraisal/appraisal=wc-ipa-2025/option=virtual-hub",
        "appraisal.no-costs/appraisal=wc-ipa-2025/option=integrated-plus",
        "appraisal.no-partner-sign-up/appraisal=wc-ipa-2025/option=integrated/partner=wcpft",
        "appraisal.lead-within-noise/appraisal=wc-ipa-2025/option=integrated",
        "appraisal.savings-not-split/appraisal=wc-ipa-2025/option=co-located",
        "appraisal.weights-without-provenance/appraisal=wc-ipa-2025/group=csf",
        "appraisal.na-without-reason/appraisal=wc-ipa-2025/criterion=obj-5",
    ]
    readme = (example_appraisal_path().parent / "README.md").read_text(encoding="utf-8")
    assert all(f"`{f.rule}`" in readme for f in found)


# --- The command -------------------------------------------------------------------------------------------------


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="sgassure")
    _cli_appraise.add_parser(parser.add_subparsers(dest="command", required=True))
    return _cli_appraise.run(parser.parse_args(["appraise", *argv]))


def test_json_output_validates_against_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """`appraise --format json --sensitivity --check` on both example files matches the shipped schema."""
    for name in ("ipa-appraisal.yaml", "ipa-obc-table.yaml"):
        assert (
            _run(str(example_appraisal_path(name)), "--format", "json", "--sensitivity", "--check", "--samples", "500")
            == 0
        )
        data = json.loads(capsys.readouterr().out)
        jsonschema.validate(data, SCHEMA)
        assert data["schema_version"] == 1
        if name == "ipa-appraisal.yaml":
            assert data["results"]["groups"][0]["provenance"] == {
                "of": "group",
                "set_by": "IPA programme board",
                "method": "Weighting workshop (paired comparison of the objectives), then agreed by the board",
                "date": "2025-02-10",
                "dissent": [
                    {
                        "by": "Castleby City Council Adult Social Care",
                        "note": "Asked for 25% on faster discharge (obj-3) rather than 20%.",
                    }
                ],
            }
            assert data["sensitivity"]["robust"] is False
    assert data["results"]["source"] == "published"
    assert data["results"]["groups"][0]["provenance"] is None
    assert [d["key"] for d in data["recheck"]["discrepancies"]] == [
        "subtotal/objectives/co-located",
        "rank/remain",
        "rank/shared-triage",
    ]
    assert data["results"]["groups"][1]["criteria"][0]["weighted"]["integrated"] == {
        "exact": "333/200",
        "display": "1.67",
    }


def test_unscored_table_still_renders_its_recheck(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A table that pins no raw scores is re-checked and shown; the results say why they are missing."""
    path = tmp_path / "t.yaml"
    path.write_text(TABLE_ONLY.replace("scale: {min: 0, max: 3, step: 1}", "scale: {min: 0, max: 3}"), encoding="utf-8")
    assert _run(str(path), "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert data["results"] is None
    assert data["unscored"].startswith("the published table does not pin every raw score")
    with pytest.raises(SgassureError, match="does not pin every raw score"):
        _run(str(path), "--sensitivity")


def test_exit_codes_follow_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 0 without --fail-on; 1 when a finding reaches --fail-on; 0 when none does."""
    example = str(example_appraisal_path())
    assert _run(example, "--check") == 0
    assert _run(example, "--fail-on", "high") == 1
    assert "Completeness check: 9 findings" in capsys.readouterr().out
    assert _run(example, "--fail-on", "critical") == 0


def test_bad_file_raises_load_error_for_the_caller(tmp_path: Path) -> None:
    """A file that does not load reaches the caller as a LoadError (the caller prints it and exits 2)."""
    path = tmp_path / "bad.yaml"
    path.write_text(GOLDEN.replace("weight: 25%", "weight: 25 percent"), encoding="utf-8")
    with pytest.raises(LoadError, match=r"groups\[0\]\.criteria\[0\]\.weight: expected a share"):
        _run(str(path))


def test_csv_and_markdown_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    """CSV has one row per figure with exact and displayed values; Markdown has the table in the published layout."""
    report = _cli_appraise.build_report(golden(), sensitivity=True, samples=10)
    rows = _cli_appraise.render_csv(report).splitlines()
    assert rows[0] == "section,group,criterion,option,exact,display,note"
    assert "weighted,csf,c1,a,333/200,1.67," in rows
    assert "weight-sum,csf,,,999/1000,99.9%,as-written" in rows
    assert "weight,obj,o5,,,N/A,Not scored at the event" in rows
    assert "total,,,a,2411/375,6.43," in rows
    assert "rank,,,b,1,1," in rows
    md = _cli_appraise.render_markdown(report)
    assert "| Criterion | Weight | Business as usual | Do minimum | Option A | Option B |" in md
    assert "| c1 Strategic fit | 33.3% | 0.33 | 0.67 | 1.67 | 1.33 |" in md
    assert "| **Rank** |  | 4 | 3 | 1 | 1 |" in md


def test_outputs_are_deterministic(tmp_path: Path) -> None:
    """The same file and seed give byte-identical output in every format, written atomically with --out."""
    example = str(example_appraisal_path())
    for fmt in ("text", "json", "csv", "md"):
        first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        for out in (first, second):
            assert (
                _run(example, "--format", fmt, "--sensitivity", "--check", "--samples", "300", "--out", str(out)) == 0
            )
        assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.{fmt}" for n in (1, 2) for fmt in ("text", "json", "csv", "md")
    )


def test_example_text_report_shows_the_story(capsys: pytest.CaptureFixture[str]) -> None:
    """The example's text report shows the totals, the disagreement, the lead within the noise and the findings."""
    assert _run(str(example_appraisal_path()), "--sensitivity", "--check", "--samples", "1000") == 0
    out = capsys.readouterr().out
    assert "Total                                                      3.70           4.46         4.58" in out
    assert "  integrated-plus on obj-4: spread 3 (" in out
    assert "  Precision of the inputs: 0.091 (rounding 0.08, weights 0.011): the lead is within the noise" in out
    assert "  Preferred option integrated: NOT a robust choice" in out
    assert textwrap.dedent(out).count("\nHIGH     ") == 6


def test_markdown_sensitivity_renders_one_list_item_per_line() -> None:
    """In Markdown every sensitivity line is its own list item (sub-lines nested), never run into one paragraph."""
    import markdown

    report = _cli_appraise.build_report(golden(), sensitivity=True, samples=10)
    section = _cli_appraise.render_markdown(report).split("## Sensitivity\n\n", 1)[1].split("\n## ", 1)[0]
    text = _cli_appraise.render_text(report).split("\nSensitivity\n", 1)[1].split("\n\n", 1)[0]
    html = markdown.markdown(section)
    items = re.findall(r"<li>([^<\n]*)", html)
    assert items == [line.strip().removeprefix("- ") for line in text.splitlines()]
    assert len(items) > 3
