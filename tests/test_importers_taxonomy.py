"""Taxonomy importers: the real ESCO (en, fr), O*NET and crosswalk folders; quarantine of bad rows with their
file, physical line and field; unreadable inputs."""

import gzip
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.importers import format_named, sources_found
from pipelines.ingest import RunReport
from pipelines.orchestrate import ingest_sources
from pipelines.readers import InputError
from pipelines.status import warehouse_status

SKILL = "http://data.europa.eu/esco/skill/"
OCCUPATION = "http://data.europa.eu/esco/occupation/"
ISCO = "http://data.europa.eu/esco/isco/"
TABLES = (
    "skills",
    "concept_labels",
    "skill_groups",
    "skill_hierarchy",
    "broader_relations",
    "skill_relations",
    "occupations",
    "occupation_skills",
    "isco_groups",
    "skill_collections",
    "taxonomy_versions",
    "onet_occupations",
    "onet_titles",
    "onet_elements",
    "crosswalks",
)


def _ingest(con: duckdb.DuckDBPyConnection, fmt: str, path: Path) -> RunReport:
    return ingest_sources(con, [(format_named(fmt), path)])[0]


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        data = text.encode()
        (folder / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return folder


def test_real_taxonomies_load_completely(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    found = [
        (fmt, path) for fmt, path in sources_found(inputs, "taxonomy") if fmt.name in ("esco", "onet", "crosswalks")
    ]
    assert [(fmt.name, path.name) for fmt, path in found] == [
        ("esco", "esco_v1.1.1_en"),
        ("esco", "esco_v1.1.1_fr"),
        ("onet", "onet_29.2"),
        ("crosswalks", "crosswalks"),
    ]
    reports = ingest_sources(con, found)
    for report in reports:
        assert report.status == "loaded" and report.rows_quarantined == 0, report.as_dict()
        assert report.rows_read == report.rows_loaded

    status = warehouse_status(con)
    counts = status["counts"]
    assert (counts["skills"], counts["occupations"], counts["occupation_skills"]) == (13_896, 3_007, 123_855)
    assert (counts["skill_groups"], counts["skill_relations"]) == (640, 5_899)
    assert _one(con, "SELECT count(*) FROM isco_groups") == 619
    assert _one(con, "SELECT count(*) FROM broader_relations WHERE pillar = 'skill'") == 20_656
    assert {"taxonomy": "esco", "version": "1.1.1", "languages": ["en", "fr"]} in status["taxonomies"]
    assert {"taxonomy": "onet", "version": "29.2", "languages": ["en"]} in status["taxonomies"]

    labels = dict(
        _rows(
            con,
            "SELECT lang || ' ' || label_type, count(*) FROM concept_labels "
            "WHERE concept_kind = 'occupation' GROUP BY 1",
        )
    )
    assert labels["en preferred"] == labels["fr preferred"] == 3_007 and labels["en alt"] > 30_000
    assert (
        _one(
            con,
            "SELECT label FROM concept_labels WHERE lang = 'fr' AND label_type = 'preferred' "
            f"AND uri = '{OCCUPATION}00030d09-2b3a-4efd-87cc-c4ea39d27c34'",
        )
        == "directeur technique/directrice technique"
    )
    assert (
        _one(
            con,
            "SELECT count(*) FROM concept_labels WHERE lang = 'fr' AND concept_kind = 'skill' "
            "AND label_type = 'preferred'",
        )
        > 2_000
    )  # from the French collection files
    assert _one(
        con,
        "SELECT list(label ORDER BY label) FROM concept_labels WHERE lang = 'en' "
        f"AND label_type = 'alt' AND uri = '{SKILL}0005c151-5b5a-4a66-8aac-60e734beb1ab'",
    ) == [
        "coordinate duties of musical staff",
        "direct musical staff",
        "manage music staff",
        "manage musical staff",
        "manage staff of music",
    ]  # newline-separated in the file

    assert counts["onet_occupations"] == 1_016
    assert _one(con, "SELECT count(job_zone) FROM onet_occupations") == 923
    assert dict(_rows(con, "SELECT domain, count(*) FROM onet_elements GROUP BY 1")) == {
        "skills": 30_765,
        "knowledge": 29_007,
        "technology": 32_627,
    }
    assert (
        _one(
            con,
            "SELECT count(*) FROM onet_elements WHERE domain <> 'technology' AND (importance IS NULL OR level IS NULL)",
        )
        == 0
    )
    assert _one(con, "SELECT count(*) FROM onet_titles") == 56_560 + 7_796

    assert dict(_rows(con, "SELECT crosswalk, count(*) FROM crosswalks GROUP BY 1")) == {
        "esco_onet": 1_680,
        "isco_soc": 1_125,
        "kldb_isco": 1_523,
        "kldb3_isco": 878,
        "kldb3_labels": 144,
        "skills_based_sectors": 54,
    }
    assert _one(con, "SELECT count(*) FROM crosswalks WHERE from_code = '0110' AND to_scheme = 'soc2010'") == 8
    assert _one(con, "SELECT count(*) FILTER (is_primary) FROM crosswalks WHERE crosswalk = 'kldb_isco'") == 1_300
    assert _rows(con, "SELECT to_code FROM crosswalks WHERE from_code = '01104'") == [("0110",)]

    before = {table: _one(con, f"SELECT count(*) FROM {table}") for table in TABLES}
    again = ingest_sources(con, found)
    assert [report.status for report in again] == ["unchanged"] * len(found)
    assert {table: _one(con, f"SELECT count(*) FROM {table}") for table in TABLES} == before


# a tiny English export: every required file, with bad rows in skills (gzipped) and occupation-skill relations
ESCO_FILES = {
    "skills_en.csv.gz": (
        "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,description\n"
        f"KnowledgeSkillCompetence,{SKILL}s1,skill/competence,cross-sector,manage staff,"
        '"lead staff\ndirect staff",,Manage people.\n'
        f'KnowledgeSkillCompetence,{SKILL}s2,knowledge,sector-specific,,"orphan label",,No preferred label.\n'
        f"KnowledgeSkillCompetence,{SKILL}s3,skill/competence,often,use Python,,,Unknown reuse level.\n"
    ),
    "skillGroups_en.csv": f"conceptType,conceptUri,preferredLabel,code\nSkillGroup,{SKILL}g1,managing people,S4\n",
    "occupations_en.csv": "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,code\n"
    f'Occupation,{OCCUPATION}o1,1211,finance manager,"finance director\nCFO",1211.1\n',
    "ISCOGroups_en.csv": f"conceptType,conceptUri,code,preferredLabel\nISCOGroup,{ISCO}C1211,1211,Finance managers\n",
    "skillsHierarchy_en.csv": "Level 0 URI,Level 0 preferred term,Level 1 URI,Level 2 URI,Level 3 URI,"
    f"Level 0 code\n{SKILL}g0,skills,,,,S\n",
    "broaderRelationsSkillPillar.csv": "conceptType,conceptUri,broaderType,broaderUri\n"
    f"KnowledgeSkillCompetence,{SKILL}s1,SkillGroup,{SKILL}g1\n",
    "broaderRelationsOccPillar.csv": "conceptType,conceptUri,broaderType,broaderUri\n"
    f"Occupation,{OCCUPATION}o1,ISCOGroup,{ISCO}C1211\n",
    "skillSkillRelations.csv": "originalSkillUri,originalSkillType,relationType,relatedSkillType,"
    f"relatedSkillUri\n{SKILL}s1,skill/competence,optional,skill/competence,{SKILL}s3\n",
    "occupationSkillRelations.csv": "occupationUri,relationType,skillType,skillUri\n"
    f"{OCCUPATION}o1,essential,skill/competence,{SKILL}s1\n"
    f"{OCCUPATION}o1,maybe,knowledge,{SKILL}s3\n",
}


def test_bad_esco_rows_are_quarantined_with_file_line_and_field(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = _write(tmp_path / "esco_v9.9_en", ESCO_FILES)
    report = _ingest(con, "esco", folder)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (12, 9, 3)
    assert _rows(
        con, "SELECT regexp_extract(file, '[^/]+$'), line, field, reason FROM quarantine ORDER BY file, line"
    ) == [
        ("occupationSkillRelations.csv", 3, "relation_type", "unknown relation type (essential or optional)"),
        ("skills_en.csv.gz", 4, "preferred_label", "required value is missing"),  # after a 2-line record
        ("skills_en.csv.gz", 5, "reuse_level", "unknown ESCO reuse level"),
    ]
    assert _rows(con, "SELECT uri, file FROM skills") == [(f"{SKILL}s1", str(folder))]
    assert _rows(con, "SELECT label_type, label FROM concept_labels WHERE concept_kind = 'skill' ORDER BY ALL") == [
        ("alt", "direct staff"),
        ("alt", "lead staff"),
        ("preferred", "manage staff"),
    ]
    assert _one(con, "SELECT count(*) FROM concept_labels WHERE label = 'orphan label'") == 0
    assert _rows(con, "SELECT level, uri, code, label FROM skill_hierarchy") == [(0, f"{SKILL}g0", "S", "skills")]


def test_the_same_version_from_another_folder_is_a_clear_error(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    _ingest(con, "esco", _write(tmp_path / "esco_v9.9_en", ESCO_FILES))
    before = {table: _one(con, f"SELECT count(*) FROM {table}") for table in TABLES}
    (tmp_path / "copy").mkdir()
    with pytest.raises(InputError, match=r"copy/esco_v9\.9_en: .*already loaded from another source"):
        _ingest(con, "esco", _write(tmp_path / "copy" / "esco_v9.9_en", ESCO_FILES))
    assert {table: _one(con, f"SELECT count(*) FROM {table}") for table in TABLES} == before


def test_translation_needs_its_english_version(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    french = _write(
        tmp_path / "esco_v9.9_fr",
        {
            "occupations_fr.csv": "conceptUri,iscoGroup,preferredLabel,altLabels\n"
            f"{OCCUPATION}o1,1211,directeur financier/directrice financière,DAF\n",
            "digitalSkillsCollection_fr.csv": "conceptType,conceptUri,preferredLabel,altLabels\n"
            f"KnowledgeSkillCompetence,{SKILL}s1,gérer le personnel,"
            "diriger | encadrer\n",
        },
    )
    with pytest.raises(InputError, match=re.escape("ingest esco_v9.9_en first")):
        _ingest(con, "esco", french)
    assert _one(con, "SELECT count(*) FROM concept_labels") == 0  # rolled back
    assert _one(con, "SELECT count(*) FROM ingest_runs") == 0

    _ingest(con, "esco", _write(tmp_path / "esco_v9.9_en", ESCO_FILES))
    report = _ingest(con, "esco", french)
    assert (report.rows_read, report.rows_loaded) == (2, 2)  # one occupation, one collection member
    assert _rows(con, "SELECT concept_kind, label_type, label FROM concept_labels WHERE lang = 'fr' ORDER BY ALL") == [
        ("occupation", "alt", "DAF"),
        ("occupation", "preferred", "directeur financier/directrice financière"),
        ("skill", "alt", "diriger"),
        ("skill", "alt", "encadrer"),
        ("skill", "preferred", "gérer le personnel"),
    ]
    assert _one(con, "SELECT languages FROM taxonomy_versions WHERE version = '9.9'") == ["en", "fr"]


RATINGS = "O*NET-SOC Code,Title,Element ID,Element Name,Scale ID,Data Value\n"
ONET_FILES = {
    "Occupation_Data.csv": "O*NET-SOC Code,Title,Description\n"
    '11-1011.00,Chief Executives,"Plan.\nDirect."\n'
    "11-1021.00,General Managers,Manage.\n",
    "Job_Zones.csv": "O*NET-SOC Code,Title,Job Zone\n11-1011.00,Chief Executives,5\n11-1021.00,General Managers,9\n",
    "Alternate_Titles.csv": "O*NET-SOC Code,Title,Alternate Title\n11-1011.00,Chief Executives,CEO\n",
    "Sample_of_Reported_Titles.csv": "O*NET-SOC Code,Title,Reported Job Title\n11-1011.00,Chief Executives,Owner\n",
    "Skills.csv": RATINGS + "11-1011.00,Chief Executives,2.A.1.a,Reading,IM,4.12\n"
    "11-1011.00,Chief Executives,2.A.1.a,Reading,LV,n/a\n",
    "Knowledge.csv": RATINGS + "11-1011.00,Chief Executives,2.C.1.a,Administration,IM,4.78\n"
    "11-1011.00,Chief Executives,2.C.1.a,Administration,LV,6.5\n"
    "11-1011.00,Chief Executives,2.C.1.a,Administration,XX,1\n",
    "Technology_Skills.csv": "O*NET-SOC Code,Title,Example,Commodity Code,Hot Technology,In Demand\n"
    "11-1011.00,Chief Executives,Microsoft Excel,43232110,Y,N\n"
    "11-1011.00,Chief Executives,SAP,43231602,maybe,N\n",
}


def test_onet_pairs_ratings_and_quarantines_bad_records(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    report = _ingest(con, "onet", _write(tmp_path / "onet_1.0", ONET_FILES))
    # 2 occupations + 2 titles + 2 rating pairs + 1 technology loaded; 4 records quarantined
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (11, 7, 4)
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), line, field FROM quarantine ORDER BY ALL") == [
        ("Job_Zones.csv", 3, "Job Zone"),
        ("Knowledge.csv", 4, "Scale ID"),
        ("Skills.csv", 3, "value"),
        ("Technology_Skills.csv", 3, "Hot Technology"),
    ]
    assert _rows(con, "SELECT code, job_zone FROM onet_occupations ORDER BY code") == [
        ("11-1011.00", 5),
        ("11-1021.00", None),
    ]
    assert _rows(
        con,
        "SELECT domain, element_name, importance, level, hot_technology, in_demand FROM onet_elements ORDER BY domain",
    ) == [
        ("knowledge", "Administration", 4.78, 6.5, None, None),
        ("skills", "Reading", 4.12, None, None, None),
        ("technology", "Microsoft Excel", None, None, True, False),
    ]


def test_crosswalk_codes_keep_leading_zeros(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "crosswalks",
        {
            "isco08_to_soc2010_bls.csv": "ISCO-08 Code,ISCO-08 Title EN,part,2010 SOC Code,2010 SOC Title\n"
            "0110,Commissioned armed forces officers,*,55-1011 ,Air Crew Officers\n"
            "3322 ,Commercial sales representatives,*,41-4012 ,Sales\n"
            "12,Too short,,11-1011,Chief Executives\n",
        },
    )
    report = _ingest(con, "crosswalks", folder)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)
    assert _rows(con, "SELECT from_scheme, from_code, to_scheme, to_code FROM crosswalks ORDER BY ALL") == [
        ("isco08", "0110", "soc2010", "55-1011"),
        ("isco08", "3322", "soc2010", "41-4012"),
    ]
    assert _rows(con, "SELECT line, field FROM quarantine") == [(4, "from_code")]


def test_missing_required_column_or_file_names_the_file(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    files = dict(ESCO_FILES)
    files["occupationSkillRelations.csv"] = f"occupationUri,skillUri\n{OCCUPATION}o1,{SKILL}s1\n"
    with pytest.raises(
        InputError, match=re.escape("occupationSkillRelations.csv: missing required column(s) relationType")
    ):
        _ingest(con, "esco", _write(tmp_path / "esco_v9.9_en", files))
    del files["skills_en.csv.gz"]
    with pytest.raises(InputError, match=re.escape("esco_v9.8_en: missing required file skills_en.csv")):
        _ingest(con, "esco", _write(tmp_path / "esco_v9.8_en", files))
    with pytest.raises(InputError, match="no crosswalk file found"):
        _ingest(con, "crosswalks", _write(tmp_path / "empty", {"notes.txt": "nothing here"}))
    assert _one(con, "SELECT count(*) FROM ingest_runs") == 0
