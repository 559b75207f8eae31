"""`moocast code` and `moocast eval-occupations` on real ESCO, O*NET and crosswalks, with a tiny postings feed."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.coding import code_postings, occupation_accuracy
from pipelines.importers import format_named
from pipelines.orchestrate import ingest_sources
from pipelines.warehouse import connect


@pytest.fixture(scope="module")
def taxonomies(tmp_path_factory: pytest.TempPathFactory, inputs: Path) -> Path:
    """A warehouse with ESCO (English and French), O*NET and the crosswalks."""
    path = tmp_path_factory.mktemp("coding") / "taxonomies.duckdb"
    with connect(path) as con:
        ingest_sources(
            con,
            [
                (format_named("esco"), inputs / "taxonomies/esco_v1.1.1_en"),
                (format_named("esco"), inputs / "taxonomies/esco_v1.1.1_fr"),
                (format_named("onet"), inputs / "taxonomies/onet_29.2"),
                (format_named("crosswalks"), inputs / "taxonomies/crosswalks"),
            ],
        )
    return path


def _feed(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _posting(posting_id: str, title: str, country: str, **optional: str) -> dict[str, str]:
    return {"posting_id": posting_id, "title": title, "posted_at": "2025-03-01", "country": country, **optional}


def _code(warehouse: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "code", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_code_is_incremental_and_codes_occupation_region_sector(taxonomies: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(taxonomies, warehouse)
    first = [
        _posting("1", "Senior Software Developer (m/f/d)", "IE", language="en", region="IE061", sector="J"),
        _posting(
            "2",
            "Développeur logiciel H/F",
            "FR",
            language="fr",
            region="Bretagne",
            sector="Information and communication",
        ),
        _posting("3", "Kierowca kategorii C", "PL", language="pl", region="Mazowieckie", sector="49.41"),
        _posting("4", "Referent ds. płac", "PL", language="pl", region="PL-14"),
        _posting("5", "Motorista", "PT", region="Bavaria", sector="Cloud, DevOps & Systems Engineering"),
        _posting("6", "Data analyst", "GR", language="en", region="EL30"),
    ]
    with connect(warehouse) as con:
        ingest_sources(con, [(format_named("generic_jsonl"), _feed(tmp_path / "feed.jsonl", first))])
        # generic feeds carry no English title; EURES's importer fills title_en from its translated titles
        con.execute("UPDATE postings SET title_en = 'Payroll clerk' WHERE posting_id = '4'")
    counts = _code(warehouse)
    assert counts["coded"] == 6
    assert counts["with_region_below_country"] == 5  # all but Bavaria on a Portuguese posting
    assert counts["with_sector"] == 3
    assert counts["occupation_coding"]["pl: no labels"] == 1  # posting 3: Polish, no English title
    assert counts["occupation_coding"]["pl via title_en: label"] == 1
    assert _code(warehouse)["coded"] == 0

    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT p.posting_id, c.isco_code, c.occupation_confidence, c.region_code, c.region_level, c.country, "
            "c.sector_code, c.sector_scheme, o.preferred_label FROM posting_codes c JOIN postings p USING "
            "(posting_key) LEFT JOIN occupations o ON o.uri = c.occupation_uri ORDER BY p.posting_id"
        ).fetchall()
    coded = {row[0]: row[1:] for row in rows}
    assert coded["1"][:1] == ("2512",) and 0.5 <= coded["1"][1] < 0.9  # software developer, 2 of 3 words
    assert coded["1"][2:] == ("IE061", "nuts3", "IE", "J", "nace", "software developer")
    assert coded["2"][0] == "2512" and coded["2"][2:7] == ("FR-BRE", "iso3166_2", "FR", "J", "nace")
    assert coded["3"] == (None, None, "PL-14", "iso3166_2", "PL", "H", "nace", None)
    assert coded["4"][0] == "4313" and coded["4"][2:5] == ("PL-14", "iso3166_2", "PL")  # payroll clerk
    assert coded["5"][2:7] == ("PT", "country", "PT", None, None)  # never a German region for a PT posting
    assert coded["6"][0] == "2511" and coded["6"][1] == 0.9 and coded["6"][2:5] == ("EL30", "nuts2", "GR")

    more = _feed(tmp_path / "more.jsonl", [_posting("7", "Nurse", "IE", language="en")])
    with connect(warehouse) as con:
        ingest_sources(con, [(format_named("generic_jsonl"), more)])
        assert code_postings(con)["coded"] == 1
        assert code_postings(con)["coded"] == 0
        assert con.execute("SELECT count(*) FROM posting_codes").fetchall() == [(7,)]


def test_code_without_esco_stops_with_a_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    connect(warehouse).close()
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "code"])
    assert result.exit_code == 2 and "ingest taxonomy" in result.output


def test_occupation_accuracy_on_onet_titles_beats_the_majority_baseline(taxonomies: Path) -> None:
    with connect(taxonomies, read_only=True) as con:
        scores = occupation_accuracy(con)
        # the trivial baseline, computed apart: always predict the ISCO group right for most evaluated titles
        (baseline,) = con.execute(
            "WITH cw AS (SELECT DISTINCT c.to_code AS code, o.isco_group FROM crosswalks c "
            "JOIN occupations o ON o.uri = c.from_code WHERE c.crosswalk = 'esco_onet'), "
            "t AS (SELECT title, code FROM onet_titles WHERE title_kind = 'alternate' "
            "AND code IN (SELECT code FROM cw)) "
            "SELECT max(n) / (SELECT count(*) FROM t) FROM (SELECT isco_group, count(*) AS n FROM t "
            "JOIN cw USING (code) GROUP BY isco_group)"
        ).fetchone()  # type: ignore[misc]
    assert scores["titles"] > 30_000 and scores["codes"] > 500
    assert scores["majority_isco_baseline"] == pytest.approx(baseline, abs=1e-4)
    assert scores["isco_accuracy"] > 2 * baseline
    assert scores["isco_accuracy_label"] > scores["isco_accuracy_head"] > baseline
    assert scores["occupation_accuracy"] <= scores["isco_accuracy"] <= scores["coverage"]
    assert scores["coverage"] > 0.8
    result = CliRunner().invoke(app, ["--warehouse", str(taxonomies), "eval-occupations", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == scores
