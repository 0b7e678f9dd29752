"""Benchmark: Monte Carlo rank stability, sgassure's kernel against plain Python loops over the same samples.

Run from the repository root:

    python benchmarks/appraisal_bench.py                      # 10 options x 12 criteria, 5,000 samples, 5 runs
    python benchmarks/appraisal_bench.py --samples 20000 --repetitions 7

An appraisal of 10 options and 12 criteria (two groups of six: weights as
percentages and as 11/60, one group as written at 99.9%, scores 0 to 5 from a
fixed seed) is built once, and one set of weight multipliers (each weight within
10% of itself) is drawn once. Three ways of counting how often each option ranks
first over those same samples are then timed, interleaved, for several
repetitions:

- **kernel**: ``sgassure._scoring.first_place_counts``, what
  ``analyse_sensitivity`` runs: integers scaled from the fractions, column by
  column over all samples, compared exactly;
- **plain, exact**: a plain loop over samples and options with ``Fraction``
  (the same arithmetic, written the obvious way);
- **plain, float**: the same plain loop with binary floats (fast to write, but
  not exact: ties can be lost or made by rounding).

Both exact paths must give identical counts (the run fails otherwise); the
float path's agreement is reported. Drawing the multipliers is timed apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from sgassure import _scoring

Counts = tuple[dict[str, int], dict[str, int]]


def make_model(options: int = 10, seed: int = 8) -> _scoring.Model:
    """10 options on 12 criteria in two groups of six; scores 0 to 5 drawn from ``seed``."""
    rng = random.Random(seed)
    objectives = (Fraction(1, 4), Fraction(11, 60), Fraction(1, 5), Fraction(11, 60), Fraction(1, 10), Fraction(1, 12))
    csf = tuple(Fraction(n, 1000) for n in (250, 200, 183, 183, 100, 83))  # 99.9%, as written
    groups = (
        _scoring.Group(
            id="objectives",
            factor=Fraction(1),
            criteria=tuple(f"obj-{i}" for i in range(1, 7)),
            weights=objectives,
            low=Fraction(0),
            high=Fraction(5),
        ),
        _scoring.Group(
            id="csf",
            factor=Fraction(1),
            criteria=tuple(f"csf-{i}" for i in range(1, 7)),
            weights=csf,
            low=Fraction(0),
            high=Fraction(5),
        ),
    )
    names = tuple(f"option-{i:02d}" for i in range(1, options + 1))
    scores = {c: {o: Fraction(rng.randint(0, 5)) for o in names} for g in groups for c in g.criteria}
    return _scoring.Model(options=names, groups=groups, scores=scores)


def plain_float(model: _scoring.Model, columns: Mapping[str, Sequence[int]]) -> Counts:
    """The plain loop with binary floats."""
    samples = len(next(iter(columns.values())))
    first = dict.fromkeys(model.options, 0)
    alone = dict.fromkeys(model.options, 0)
    weights = {c: float(w) for g in model.groups for c, w in zip(g.criteria, g.weights, strict=True)}
    scores = {c: {o: float(v) for o, v in row.items()} for c, row in model.scores.items()}
    sums = {g.id: float(g.weight_sum) for g in model.groups}
    factor = {g.id: float(g.factor) for g in model.groups}
    for s in range(samples):
        total = dict.fromkeys(model.options, 0.0)
        for g in model.groups:
            raw = {c: weights[c] * columns[c][s] for c in g.criteria}
            denominator = sum(raw.values())
            for o in model.options:
                total[o] += factor[g.id] * sums[g.id] * sum(raw[c] * scores[c][o] for c in g.criteria) / denominator
        best = max(total.values())
        top = [o for o, t in total.items() if t == best]
        for o in top:
            first[o] += 1
        if len(top) == 1:
            alone[top[0]] += 1
    return first, alone


def _time(run: Callable[[], Counts]) -> tuple[float, Counts]:
    start = time.perf_counter()
    counts = run()
    return time.perf_counter() - start, counts


def main(argv: Sequence[str] | None = None) -> None:
    """Time the three paths and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5000, help="Monte Carlo samples (default 5,000)")
    parser.add_argument("--repetitions", type=int, default=5, help="timed runs of each path (default 5)")
    parser.add_argument("--seed", type=int, default=20250312, help="seed of the multipliers")
    args = parser.parse_args(argv)

    model = make_model()
    criteria = sorted(c for g in model.groups for c in g.criteria)
    start = time.perf_counter()
    drawn = _scoring.draw_multipliers(random.Random(args.seed), len(criteria), args.samples, Fraction(1, 10))
    draw_s = time.perf_counter() - start
    columns = dict(zip(criteria, drawn, strict=True))

    paths: dict[str, Callable[[], Counts]] = {
        "kernel": lambda: _scoring.first_place_counts(model, columns),
        "plain, exact": lambda: _scoring.first_place_counts_plain(model, columns),
        "plain, float": lambda: plain_float(model, columns),
    }
    runs: dict[str, list[float]] = {name: [] for name in paths}
    results: dict[str, Counts] = {}
    for _ in range(args.repetitions):
        for name, run in paths.items():
            seconds, counts = _time(run)
            runs[name].append(seconds)
            results[name] = counts
    if results["kernel"] != results["plain, exact"]:
        raise SystemExit("the kernel and the plain exact loop disagree")
    float_agrees = results["plain, float"] == results["kernel"]

    print(
        f"== {len(model.options)} options x {len(criteria)} criteria, {args.samples:,} samples (weights within 10%), "
        f"{args.repetitions} runs each, interleaved"
    )
    print(f"   drawing the multipliers: {draw_s:.3f} s ({args.samples / draw_s:,.0f} samples/s)")
    print(f"   {'path':14} {'median s':>9} {'samples/s':>11}  runs (s)")
    medians = {}
    for name, seconds in runs.items():
        medians[name] = statistics.median(seconds)
        listed = ", ".join(f"{s:.3f}" for s in seconds)
        print(f"   {name:14} {medians[name]:9.3f} {args.samples / medians[name]:11,.0f}  {listed}")
    print(
        f"   kernel is {medians['plain, exact'] / medians['kernel']:.1f}x the plain exact loop and "
        f"{medians['plain, float'] / medians['kernel']:.1f}x the plain float loop; counts: kernel = plain exact"
        f"{' = plain float' if float_agrees else ' (plain float differs)'}"
    )
    first = results["kernel"][0]
    leaders = sorted(first, key=lambda o: -first[o])[:3]
    print("   first place: " + ", ".join(f"{o} {first[o] / args.samples:.1%}" for o in leaders))


if __name__ == "__main__":
    main()
