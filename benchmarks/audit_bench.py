"""Benchmark: the engine path of an audit against the plain-Python reference evaluator.

Run from the repository root:

    python benchmarks/audit_bench.py            # 60 and 6,000 agencies
    python benchmarks/audit_bench.py --sizes 60 # one size only

Each size runs in a fresh subprocess (so peak RSS is per configuration): it
generates a partnership of that many agencies (clones of the example's
agencies, with their returns cloned and lightly varied) over three Section 11
cycles and two SAAF cycles, builds the facts once, then times the engine path
(compile + engine session, as ``run_audit`` runs them) and the reference
evaluator over the same facts in interleaved repetitions, and asserts they
find the same fingerprints. Peak memory of each path is then measured alone,
in its own subprocess, above the RSS the facts already take.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import sgassure
from reference import evaluate
from sgassure._compile import compile_packs
from sgassure._facts import build_facts
from sgassure.assessments import AuditCycle
from sgassure.audit import _Run
from sgassure.rules import RulePack, bundled_rule_packs
from sgassure.standards import bundled_frameworks
from sgassure.workspace import Workspace

AS_OF = dt.date(2025, 9, 30)
REPETITIONS = {60: 5, 6000: 3}


def make_workspace(agencies: int, seed: int = 1) -> Workspace:
    """A partnership of ``agencies`` agencies cloned from the example, over 3 Section 11 and 2 SAAF cycles."""
    rng = random.Random(seed)
    ws = sgassure.load_workspace(sgassure.example_workspace_path())
    originals = ws.partnership.agencies
    clones: dict[str, list[str]] = {a.id: [] for a in originals}
    new_agencies = []
    for k in range(agencies):
        a = originals[k % len(originals)]
        new_id = f"{a.id}-{k:05d}"
        clones[a.id].append(new_id)
        new_agencies.append(attrs.evolve(a, id=new_id, name=f"{a.name} {k}", aliases=()))
    partnership = attrs.evolve(ws.partnership, agencies=tuple(new_agencies), memberships=(), meetings=())

    def invited(cycle: AuditCycle) -> tuple[str, ...]:
        return tuple(sorted(c for a in cycle.invited for c in clones[a]))

    s11_2023 = ws.cycle("s11-2023")
    s11_2021 = attrs.evolve(
        s11_2023, id="s11-2021", title="Section 11 audit 2021", opens=dt.date(2021, 3, 1), deadline=dt.date(2021, 5, 31)
    )
    cycles = (
        attrs.evolve(s11_2021, invited=invited(s11_2021)),
        attrs.evolve(s11_2023, previous="s11-2021", invited=invited(s11_2023)),
        *(attrs.evolve(ws.cycle(c), invited=invited(ws.cycle(c))) for c in ("s11-2025", "saaf-2024", "saaf-2025")),
    )
    levels = {(f.id, f.version): f.scale.level_ids for f in ws.frameworks}
    sources = {c.id: c.id for c in cycles} | {"s11-2021": "s11-2023"}
    returns = []
    for cycle in cycles:
        scale = levels[(cycle.framework, cycle.framework_version)]
        years = (cycle.opens.year - ws.cycle(sources[cycle.id]).opens.year) * 365
        for sa in ws.assessments_for(sources[cycle.id]):
            for new_id in clones[sa.agency]:
                if rng.random() < 0.02:  # an occasional missing return
                    continue
                ratings = tuple(
                    attrs.evolve(r, level=rng.choice(scale)) if r.level and rng.random() < 0.1 else r
                    for r in sa.ratings
                )
                returns.append(
                    attrs.evolve(
                        sa,
                        agency=new_id,
                        cycle=cycle.id,
                        submitted=sa.submitted + dt.timedelta(days=years),
                        ratings=ratings,
                    )
                )
    # Clone j of every original agency forms group j; case references are per group, so agencies
    # share cases as in the example, within their group (not all with all, which is quadratic).
    audits = tuple(
        attrs.evolve(
            audit,
            cases=tuple(f"{case}-g{j}" for j in range(max(map(len, clones.values()))) for case in audit.cases),
            agencies=tuple(c for a in audit.agencies for c in clones[a]),
            findings=tuple(
                attrs.evolve(f, agency=c, cases=tuple(f"{case}-g{j}" for case in f.cases))
                for f in audit.findings
                for j, c in enumerate(clones[f.agency])
            ),
        )
        for audit in ws.case_file_audits
    )
    surveys = tuple(
        attrs.evolve(survey, results=tuple(attrs.evolve(r, agency=c) for r in survey.results for c in clones[r.agency]))
        for survey in ws.practitioner_audits
    )
    return attrs.evolve(
        ws,
        partnership=partnership,
        frameworks=bundled_frameworks(),
        cycles=tuple(sorted(cycles, key=lambda c: c.id)),
        assessments=tuple(sorted(returns, key=lambda sa: (sa.cycle, sa.agency))),
        case_file_audits=audits,
        practitioner_audits=surveys,
        decisions=(),
    )


@functools.cache
def packs() -> tuple[RulePack, ...]:
    """The bundled packs, parsed once (parsing is not part of either path)."""
    return bundled_rule_packs()


def run_engine(ws: Workspace, facts: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """The engine path of run_audit: compile the packs for the workspace, run an engine session."""
    compiled = compile_packs(packs(), ws.frameworks, ws.partnership, AS_OF)
    findings = _Run(compiled, AS_OF, mask=True).evaluate(facts)
    return {(f.fingerprint, f.severity.value) for f in findings}


def run_reference(ws: Workspace, facts: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """The reference evaluator over the same facts."""
    found = evaluate(packs(), facts, ws.frameworks, ws.partnership.escalation_policy, AS_OF)
    return {(fingerprint, severity) for fingerprint, severity, _ in found}


PATHS = {"engine": run_engine, "reference": run_reference}


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS, where Linux allows it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return _maxrss_mib()


def time_configuration(agencies: int) -> dict[str, Any]:
    """Interleaved timings of both paths for one size; asserts they agree."""
    packs()  # parse (and cache the catalogs) before timing
    start = time.perf_counter()
    ws = make_workspace(agencies)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    facts = build_facts(ws, AS_OF)
    built = time.perf_counter() - start
    times: dict[str, list[float]] = {name: [] for name in PATHS}
    results: dict[str, set[tuple[str, str]]] = {}
    for _ in range(REPETITIONS.get(agencies, 3)):
        for name, path in PATHS.items():
            start = time.perf_counter()
            results[name] = path(ws, facts)
            times[name].append(time.perf_counter() - start)
    if results["engine"] != results["reference"]:
        raise AssertionError(
            f"disagreement: engine only {sorted(results['engine'] - results['reference'])[:5]}, "
            f"reference only {sorted(results['reference'] - results['engine'])[:5]}"
        )
    return {
        "agencies": agencies,
        "facts": len(facts),
        "findings": len(results["engine"]),
        "generate_s": generated,
        "build_facts_s": built,
        "times": times,
        "maxrss_mib": _maxrss_mib(),
    }


def measure_memory(agencies: int, path: str) -> dict[str, Any]:
    """Peak RSS of one path alone, above the RSS after the workspace and facts are built."""
    packs()
    ws = make_workspace(agencies)
    facts = build_facts(ws, AS_OF)
    base = _rss_mib()
    exact = _reset_peak()  # else the peak may predate the run, and the figure is a lower bound
    PATHS[path](ws, facts)
    peak = _peak_mib() - base
    tracemalloc.start()  # a second run, traced: the Python heap only (not the engine's C memory)
    PATHS[path](ws, facts)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"base_rss_mib": base, "peak_above_base_mib": peak, "exact": exact, "traced_peak_mib": traced}


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 6000])
    parser.add_argument("--child-time", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-memory", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_time is not None:
        print(json.dumps(time_configuration(args.child_time)))
        return
    if args.child_memory is not None:
        print(json.dumps(measure_memory(int(args.child_memory[0]), args.child_memory[1])))
        return
    print(f"packs: {', '.join(p.id for p in packs())}; as of {AS_OF}")
    for agencies in args.sizes:
        r = _child("--child-time", str(agencies))
        memory = {name: _child("--child-memory", str(agencies), name) for name in PATHS}
        med = {name: statistics.median(ts) for name, ts in r["times"].items()}
        print(
            f"== {agencies} agencies: {r['facts']:,} facts, {r['findings']:,} findings (agree); "
            f"workspace generated in {r['generate_s']:.2f} s, facts built in {r['build_facts_s']:.2f} s "
            f"({r['facts'] / r['build_facts_s']:,.0f} facts/s)"
        )
        print(
            f"   {'path':<10} {'median s':>9} {'runs (s)':<34} {'facts/s':>11} {'peak Python heap':>17} "
            f"{'peak RSS alone':>16}"
        )
        for name in PATHS:
            runs = ", ".join(f"{t:.2f}" for t in r["times"][name])
            mem = memory[name]
            print(
                f"   {name:<10} {med[name]:>9.3f} {runs:<34} {r['facts'] / med[name]:>11,.0f} "
                f"{mem['traced_peak_mib']:>13,.0f} MiB "
                f"{mem['peak_above_base_mib']:>10,.0f} MiB{'' if mem['exact'] else ' (at least)'} "
                f"(+{mem['base_rss_mib']:,.0f} MiB workspace and facts)"
            )
        print(
            f"   engine/reference = {med['engine'] / med['reference']:.2f}x; "
            f"peak RSS of the timing process (both paths, {len(r['times']['engine'])} runs each): "
            f"{r['maxrss_mib']:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
