"""The validation report: the latest Great Expectations result of every suite and the quarantine reasons."""

from __future__ import annotations

import html
import json
from pathlib import Path

import duckdb

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}table{border-collapse:collapse;margin:1rem 0}"
    "td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}"
    ".ok{color:#176117}.bad{color:#a40000}details{margin:.2rem 0}"
)


def _expectation_rows(result_json: str) -> str:
    rows = []
    for item in json.loads(result_json).get("results", []):
        config = item.get("expectation_config", {})
        kwargs = {k: v for k, v in config.get("kwargs", {}).items() if k not in {"batch_id"}}
        unexpected = item.get("result", {}).get("unexpected_count", "")
        state = "ok" if item.get("success") else "bad"
        rows.append(
            f"<tr><td class={state}>{'pass' if item.get('success') else 'FAIL'}</td>"
            f"<td>{html.escape(str(config.get('type', '')))}</td>"
            f"<td>{html.escape(json.dumps(kwargs, default=str)[:300])}</td><td>{unexpected}</td></tr>"
        )
    return "".join(rows)


def validation_report_html(con: duckdb.DuckDBPyConnection) -> str:
    """The report as one self-contained HTML page."""
    suites = con.execute(
        "SELECT v.suite, v.success, v.evaluated, v.failed, v.result_json, r.source, r.started_at "
        "FROM validation_results v JOIN ingest_runs r USING (run_id) "
        "QUALIFY row_number() OVER (PARTITION BY r.source, v.suite ORDER BY r.started_at DESC) = 1 "
        "ORDER BY r.source, v.suite"
    ).fetchall()
    reasons = con.execute(
        "SELECT source, field, reason, count(*) FROM quarantine GROUP BY ALL ORDER BY source, 4 DESC"
    ).fetchall()
    parts = [
        f"<!doctype html><meta charset=utf-8><title>moocast validation</title><style>{_STYLE}</style>",
        "<h1>moocast input validation</h1><h2>Suites (latest run per source)</h2>",
        "<table><tr><th>source</th><th>suite</th><th>result</th><th>expectations</th><th>at</th></tr>",
    ]
    for suite, success, evaluated, failed, result_json, source, at in suites:
        state = "ok" if success else "bad"
        parts.append(
            f"<tr><td>{html.escape(source)}</td><td><details><summary>{html.escape(suite)}</summary><table>"
            f"<tr><th></th><th>expectation</th><th>arguments</th><th>unexpected</th></tr>"
            f"{_expectation_rows(result_json)}</table></details></td>"
            f"<td class={state}>{'passed' if success else 'FAILED'}</td><td>{evaluated - failed}/{evaluated}</td>"
            f"<td>{at:%Y-%m-%d %H:%M}</td></tr>"
        )
    parts.append(
        "</table><h2>Quarantined rows by reason</h2>"
        "<table><tr><th>source</th><th>field</th><th>reason</th><th>rows</th></tr>"
    )
    for source, field, reason, count in reasons:
        parts.append(
            f"<tr><td>{html.escape(source)}</td><td>{html.escape(str(field))}</td>"
            f"<td>{html.escape(reason)}</td><td>{count}</td></tr>"
        )
    parts.append(
        "</table><p>Every quarantined row is kept in the warehouse table <code>quarantine</code> "
        "with its file, line, field, reason and raw values.</p>"
    )
    return "".join(parts)


def validation_report_path(con: duckdb.DuckDBPyConnection, folder: Path) -> Path:
    """Write the report to `folder/validation.html` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "validation.html"
    path.write_text(validation_report_html(con), encoding="utf-8")
    return path
