"""Exports of a ranked priorities list (`pipelines.priorities.priorities` results): CSV, JSON and a printable,
self-contained HTML report, and the files of one selection in the reports folder."""

from __future__ import annotations

import csv
import io
import json
from html import escape
from pathlib import Path
from string import Template
from typing import Any

CSV_COLUMNS = (
    "rank", "topic", "language", "level", "score", "demand", "momentum", "need", "entry_weight", "uncovered",
    "demand_lo_80", "demand_hi_80", "growth", "growth_lo_80", "growth_hi_80", "coverage", "skills_taught",
    "skills", "skill_uris", "occupations", "regions", "sectors", "closest_courses", "explanation", "topic_id",
)  # fmt: skip

_PAGE = Template("""<!doctype html><html lang=en><meta charset=utf-8><title>$title</title><style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:62rem}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;
vertical-align:top}section{border-top:2px solid #333;margin-top:1.2rem;page-break-inside:avoid}
.num{text-align:right}.muted{color:#555;font-size:.9em}h2{margin:.6rem 0 .2rem}
@media print{body{margin:0}section{page-break-inside:avoid}}
</style><h1>$title</h1><p class=muted>$subtitle</p><p>$reading</p>$sections
<p class=muted>Sources: forecasts of $model; ESCO classification of the European Commission; Statistik der
Bundesagentur f&uuml;r Arbeit. Course catalogues as loaded (their own licences).</p></html>
""")
_READING = (
    "Each topic is a group of ESCO skills a provider could teach as one MOOC. Its score is the product of five "
    "components: <b>demand</b> (forecast demand for its skills over the horizon, mean per period), "
    "<b>momentum</b> (forecast against the last observed value, bounded 0.5-1.5), <b>need</b> (the share of "
    "jobseekers among jobseekers and openings in its regions and skill groups, against the national share, "
    "0.5-2), <b>entry weight</b> (1 + 0.5 x the share of demand in entry-level occupations) and "
    "<b>uncovered</b> (the share of demand no course in the catalogue serves in the region's language: 1 = "
    "nothing taught, one fitting course halves it)."
)


def _regions(entry: dict[str, Any]) -> str:
    return "; ".join(f"{r['label']} ({r['share']:.0%})" for r in entry["regions"])


def _flat(entry: dict[str, Any]) -> dict[str, Any]:
    demand, coverage = entry["demand"], entry["coverage"]
    return {
        "rank": entry["rank"], "topic": entry["topic"], "language": entry["language"], "level": entry["level"],
        "score": entry["score"], **entry["components"],
        "demand_lo_80": demand["lo_80"], "demand_hi_80": demand["hi_80"], "growth": demand["growth"],
        "growth_lo_80": demand["growth_lo_80"], "growth_hi_80": demand["growth_hi_80"],
        "coverage": coverage["coverage"], "skills_taught": coverage["skills_taught"],
        "skills": "; ".join(s["label"] for s in entry["skills"]),
        "skill_uris": " ".join(s["uri"] for s in entry["skills"]),
        "occupations": "; ".join(o["label"] for o in entry["occupations"]),
        "regions": _regions(entry),
        "sectors": "; ".join(s["code"] for s in entry["sectors"]),
        "closest_courses": "; ".join(f"{c['provider']}: {c['title']}" for c in coverage["closest_courses"]),
        "explanation": entry["explanation"], "topic_id": entry["topic_id"],
    }  # fmt: skip


def priorities_csv(entries: list[dict[str, Any]]) -> str:
    """One row per ranked entry, lists joined with '; '."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_flat(entry) for entry in entries)
    return buffer.getvalue()


def priorities_json(result: dict[str, Any], top: int) -> dict[str, Any]:
    """The selection, the forecast model and the first `top` entries."""
    return {"selection": result["selection"], "meta": result["meta"], "entries": result["entries"][:top]}


def _section(entry: dict[str, Any]) -> str:
    d, c, cover = entry["demand"], entry["components"], entry["coverage"]
    components = "".join(
        f"<td class=num>{value:,.0f}</td>" if name == "demand" else f"<td class=num>{value:.2f}</td>"
        for name, value in c.items()
    )
    skills = "".join(
        f"<tr><td>{escape(s['label'] or s['uri'])}</td><td class=num>{s['demand']:,.0f}</td>"
        f"<td class=num>{s['courses']:.2f}</td><td class=num>{s['entry_share']:.0%}</td></tr>"
        for s in entry["skills"]
    )
    courses = (
        "".join(
            f"<li>{escape(k['provider'])}: {escape(k['title'])} ({escape(k['level'])}, {escape(k['language'] or '?')}; "
            f"teaches {k['skills_taught']} of its skills)</li>"
            for k in cover["closest_courses"]
        )
        or "<li>none in this catalogue</li>"
    )
    return (
        f"<section><h2>{entry['rank']}. {escape(entry['topic'])}</h2>"
        f"<p>{escape(entry['explanation'])}</p>"
        f"<table><tr><th>score</th><th>demand</th><th>momentum</th><th>need</th><th>entry weight</th>"
        f"<th>uncovered</th></tr><tr><td class=num><b>{entry['score']:,.0f}</b></td>{components}</tr></table>"
        f"<p>Demand {d['value']:,.0f} {escape(d['unit'])} a year in {escape(d['horizon'])} (80% "
        f"{d['lo_80']:,.0f}-{d['hi_80']:,.0f}); growth on {escape(d['last_period'])} {d['growth']:+.1%} "
        f"({d['growth_lo_80']:+.1%} to {d['growth_hi_80']:+.1%}). Level <b>{escape(entry['level'])}</b>, "
        f"language <b>{escape(entry['language'])}</b>.</p>"
        f"<table><tr><th>skill</th><th>demand</th><th>courses</th><th>entry-level</th></tr>{skills}</table>"
        f"<p>For: {escape('; '.join(o['label'] for o in entry['occupations']))}.<br>Where: "
        f"{escape(_regions(entry))}.</p>"
        f"<p>Closest existing courses (coverage {cover['coverage']:.2f}):</p><ul>{courses}</ul></section>"
    )


def priorities_html(result: dict[str, Any], top: int) -> str:
    """A printable page of the first `top` entries."""
    key, meta = result["selection"], result["meta"]
    who = "all providers" if key["provider"] == "ALL" else f"provider {key['provider']}"
    return _PAGE.substitute(
        title=escape(f"moocast priorities for {who}"),
        subtitle=escape(
            f"language {key['language']}, region {key['region']}; forecasts {meta['model_name']} version "
            f"{meta['model_version']} for {meta['horizon']}; ESCO {meta['taxonomy_version']}"
        ),
        reading=_READING,
        sections="".join(_section(entry) for entry in result["entries"][:top]),
        model=escape(f"{meta['model_name']} v{meta['model_version']}"),
    )


def written_reports(result: dict[str, Any], folder: Path, top: int) -> list[Path]:
    """priorities-<provider>[-<language>][-<region>].csv/.json/.html in `folder`; their paths."""
    key = result["selection"]
    parts = [key["provider"].lower()] + [key[k] for k in ("language", "region") if key[k] != "ALL"]
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / ("priorities-" + "-".join(parts))
    paths = [stem.with_suffix(".csv"), stem.with_suffix(".json"), stem.with_suffix(".html")]
    paths[0].write_text(priorities_csv(result["entries"][:top]), encoding="utf-8")
    paths[1].write_text(json.dumps(priorities_json(result, top), indent=2, ensure_ascii=False), encoding="utf-8")
    paths[2].write_text(priorities_html(result, top), encoding="utf-8")
    return paths
