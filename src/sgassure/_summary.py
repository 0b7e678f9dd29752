"""The summary of a loaded workspace that ``sgassure check`` prints (text or JSON)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sgassure.consistency import check_consistency
from sgassure.workspace import Workspace, expected_returns, scan_workspace

SCHEMA_VERSION = 1


def summarise(ws: Workspace) -> dict[str, Any]:
    """A JSON-ready, deterministic summary of a workspace."""
    p = ws.partnership
    cycles = []
    for cycle in ws.cycles:
        framework = ws.framework_for(cycle)
        returns = ws.assessments_for(cycle.id)
        returned = sorted(a.agency for a in returns)
        expected = expected_returns(ws, cycle)
        levels: Counter[str] = Counter()
        not_applicable = 0
        below = 0
        for sa in returns:
            for rating in sa.ratings:
                level = rating.effective_level()
                if level is None:
                    not_applicable += 1
                    continue
                levels[level] += 1
                below += not framework.scale.is_compliant(level)
        cycles.append(
            {
                "id": cycle.id,
                "framework": cycle.framework,
                "framework_version": cycle.framework_version,
                "deadline": cycle.deadline.isoformat(),
                "expected": len(expected),
                "returned": len(returned),
                "missing": sorted(set(expected) - set(returned)),
                "ratings": {level: levels[level] for level in framework.scale.level_ids},
                "not_applicable": not_applicable,
                "below_threshold": below,
                "actions": sum(len(sa.actions) for sa in returns),
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "partnership": {
            "id": p.id,
            "name": p.name,
            "areas": list(p.areas),
            "agencies": len(p.agencies),
            "bodies": len(p.bodies),
            "boards": [b.id for b in p.boards()],
            "memberships": len(p.memberships),
            "meetings": len(p.meetings),
        },
        "frameworks": [
            {
                "id": f.id,
                "version": f.version,
                "standards": len(f.standards),
                "requirements": sum(1 for _ in f.requirements()),
            }
            for f in ws.frameworks
        ],
        "cycles": cycles,
        "case_file_audits": [
            {
                "id": a.id,
                "cases": len(a.cases),
                "findings": len(a.findings),
                "adverse": sum(1 for f in a.findings if f.grade.is_adverse),
            }
            for a in ws.case_file_audits
        ],
        "practitioner_audits": [{"id": a.id, "results": len(a.results)} for a in ws.practitioner_audits],
        "indicators": len(ws.indicators),
        "inconsistencies": [
            {"kind": i.kind.value, "subject": i.subject, "source": i.source, "message": i.message}
            for i in check_consistency(ws)
        ],
        "identifiers": [{"kind": m.kind.value, "path": m.path} for m in scan_workspace(ws)],
    }


def render_text(summary: dict[str, Any]) -> str:
    """The summary as plain text for a terminal."""
    p = summary["partnership"]
    lines = [
        f"{p['name']} ({p['id']}): {', '.join(p['areas'])}",
        f"  {p['agencies']} agencies, {p['bodies']} bodies ({len(p['boards'])} boards), "
        f"{p['memberships']} seats, {p['meetings']} meetings",
        "",
        "Catalogs:",
    ]
    lines += [
        f"  {f['id']} {f['version']}: {f['standards']} standards, {f['requirements']} requirements"
        for f in summary["frameworks"]
    ]
    lines += ["", "Audit cycles:"]
    for c in summary["cycles"]:
        ratings = ", ".join(f"{level} {n}" for level, n in c["ratings"].items())
        lines.append(
            f"  {c['id']} ({c['framework']} {c['framework_version']}, deadline {c['deadline']}): "
            f"{c['returned']} of {c['expected']} expected returns"
        )
        lines.append(
            f"    ratings: {ratings}, not applicable {c['not_applicable']}; below threshold {c['below_threshold']}"
        )
        if c["missing"]:
            lines.append(f"    missing: {', '.join(c['missing'])}")
    lines += ["", "Audits:"]
    lines += [
        f"  case-file audit {a['id']}: {a['cases']} cases, {a['findings']} findings ({a['adverse']} adverse)"
        for a in summary["case_file_audits"]
    ]
    lines += [f"  practitioner audit {a['id']}: {a['results']} results" for a in summary["practitioner_audits"]]
    lines += ["", f"Indicators: {summary['indicators']}", ""]
    inconsistencies = summary["inconsistencies"]
    lines.append(f"Inconsistencies in published figures: {len(inconsistencies)}")
    lines += [f"  [{i['kind']}] {i['message']} ({i['source']})" for i in inconsistencies]
    identifiers = summary["identifiers"]
    lines += ["", f"Personal identifiers in free text: {len(identifiers)} (masked; not shown)"]
    lines += [f"  {m['kind']} at {m['path']}" for m in identifiers]
    return "\n".join(lines) + "\n"
