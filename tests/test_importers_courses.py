"""Courses: the real Coursera, edX, Udemy and Udacity catalogues, the generic format, quarantine, errors."""

import ast
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from pipelines.importers import format_named, format_of
from pipelines.importers.course_fields import language_code
from pipelines.ingest import RunReport
from pipelines.orchestrate import ingest_sources
from pipelines.readers import InputError

COURSES = "courses"


def _ingest(con: duckdb.DuckDBPyConnection, fmt: str, path: Path) -> RunReport:
    return ingest_sources(con, [(format_named(fmt), path)])[0]


def _course(con: duckdb.DuckDBPyConnection, course_id: str) -> dict[str, Any]:
    frame = con.sql("SELECT * FROM courses WHERE course_id = ?", params=[course_id]).pl()
    assert frame.height == 1, course_id
    return frame.row(0, named=True)


@pytest.mark.parametrize(
    "name,fmt,rows,duplicates",
    [
        ("coursera_courses_2023.csv.gz", "coursera", 1000, 0),
        ("coursera_courses_2024_clean.csv.gz", "coursera", 1008, 1),  # two "Google Data Analytics" by Google
        ("edx_courses.csv.gz", "edx", 975, 1),  # one row repeated byte for byte
        ("udemy_courses.csv.gz", "udemy", 3678, 6),  # six rows repeated byte for byte
        ("udacity_courses.csv.gz", "udacity", 263, 0),
    ],
)
def test_real_catalogues_load_every_course(
    con: duckdb.DuckDBPyConnection, inputs: Path, name: str, fmt: str, rows: int, duplicates: int
) -> None:
    path = inputs / COURSES / name
    assert format_of(path, "courses").name == fmt
    report = _ingest(con, fmt, path)
    assert report.rows_read == rows == report.rows_loaded + report.rows_quarantined
    assert report.rows_quarantined == duplicates
    reasons = con.execute("SELECT DISTINCT field, reason FROM quarantine").fetchall()
    duplicate = ("course_id", "duplicate key (an earlier row of this file has it)")
    assert reasons == ([duplicate] if duplicates else [])
    assert con.execute("SELECT count(*) FROM courses").fetchall() == [(report.rows_loaded,)]


def test_coursera_2023_row_matches_the_raw_file(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    path = inputs / COURSES / "coursera_courses_2023.csv.gz"
    raw = pl.read_csv(path, infer_schema=False).filter(pl.col("course_title").str.starts_with("(ISC)"))
    _ingest(con, "coursera", path)
    course = _course(con, "specializations/sscp-training")
    listed = ast.literal_eval(raw["course_skills"][0])
    assert len(listed) == 9 and course["skills"] == list(dict.fromkeys(listed))  # repeats dropped, order kept
    assert raw["course_students_enrolled"][0] == "6,706" and course["enrolment"] == 6706
    assert (course["level"], course["rating"], course["organization"]) == ("beginner", 4.7, "ISC2")
    assert course["url"] == raw["course_url"][0] and course["language"] is None
    outcomes = _course(con, "learn/21st-century-energy-transition")["description"]
    assert outcomes.startswith("Affordable, abundant")
    assert "\n\nUnderstand the complexity of systems" in outcomes  # learning outcomes after the description
    assert con.execute("SELECT count(*) FROM courses WHERE len(skills) = 0").fetchall() == [(355,)]  # "[]"


def test_coursera_2024_and_udacity_rows(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    _ingest(con, "coursera", inputs / COURSES / "coursera_courses_2024_clean.csv.gz")
    course = _course(con, "google/google-cybersecurity")
    assert course["skills"][:3] == ["Network Security", "Python Programming", "Linux"]  # leading spaces gone
    assert (course["rating"], course["level"], course["url"], course["enrolment"]) == (4.8, "beginner", None, None)
    _ingest(con, "udacity", inputs / COURSES / "udacity_courses.csv.gz")
    course = _course(con, "nd027")
    assert (course["title"], course["level"], course["rating"], course["subject"]) == (
        "Data Engineer",
        "intermediate",
        4.6,
        "School of Data Science",
    )
    assert con.execute(
        "SELECT count(rating), count(level), count(skills) FROM courses WHERE provider = 'udacity'"
    ).fetchall() == [(55, 259, 0)]  # 'None' ratings are null


def test_edx_and_udemy_rows(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    _ingest(con, "edx", inputs / COURSES / "edx_courses.csv.gz")
    course = _course(con, "course/cs50s-introduction-to-computer-science")
    assert (course["enrolment"], course["level"], course["language"], course["organization"]) == (
        2442271,
        "beginner",
        "en",
        "Harvard University",
    )
    raw = pl.read_csv(inputs / COURSES / "edx_courses.csv.gz", infer_schema=False).row(0, named=True)
    parts = [raw[c].strip() for c in ("summary", "course_description", "course_syllabus")]
    assert _course(con, "course/how-to-learn-online")["description"] == "\n\n".join(parts)  # syllabus last
    languages = dict(con.execute("SELECT language, count(*) FROM courses GROUP BY ALL").fetchall())
    assert languages["es"] == 176 and languages["zh"] == 4 and languages["ar"] == 1 and None not in languages
    assert con.execute("SELECT count(enrolment) FROM courses").fetchall() == [(854,)]  # 120 'NA'
    _ingest(con, "udemy", inputs / COURSES / "udemy_courses.csv.gz")
    course = _course(con, "1070968")
    assert (course["enrolment"], course["level"], course["language"], course["subject"]) == (
        2147,
        "mixed",
        None,
        "Business Finance",
    )
    levels = dict(con.execute("SELECT level, count(*) FROM courses WHERE provider = 'udemy' GROUP BY ALL").fetchall())
    assert levels == {"mixed": 1925, "beginner": 1268, "intermediate": 421, "advanced": 58}


def test_generic_csv_quarantines_bad_rows_with_line_and_field(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "provider,course_id,title,description,skills,language,level,url,rating,enrolment\n"
        'Acme,c1,Data pipelines,"Build\nETL jobs",Python; SQL ;;Airflow,English,Introductory,https://a.org/1,4.5,"1,200"\n'
        "acme,c2,Welding,,,de,All Levels,,,3k\n"
        "acme,c3,Bad rating,,,en,beginner,,6,\n"  # rating above 5
        "acme,c4,,,,,,,,\n"  # no title
        "acme,c1,Repeat,,,,,,,\n"  # duplicate id
        "acme,c5,Odd,,,klingon,expert-ish,ftp://x,x,-3\n"  # language, level, url, rating, enrolment
        'acme,c6,Broken,,"[\'SQL",,,,,\n',  # a broken list literal
        encoding="utf-8",
    )
    report = _ingest(con, "generic_courses", path)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (7, 2, 5)
    course = _course(con, "c1")
    assert course["provider"] == "acme" and course["skills"] == ["Python", "SQL", "Airflow"]
    assert (course["language"], course["level"], course["enrolment"], course["rating"]) == ("en", "beginner", 1200, 4.5)
    assert course["description"] == "Build\nETL jobs" and course["record"] == 1  # record number
    assert (_course(con, "c2")["enrolment"], _course(con, "c2")["level"]) == (3000, "mixed")
    rows = con.execute("SELECT file, line, field, reason FROM quarantine ORDER BY line, field").fetchall()
    assert {row[0] for row in rows} == {str(path)}
    found = {(line, field) for _, line, field, _ in rows}
    assert found == {
        (5, "rating"),
        (6, "title"),
        (7, "course_id"),  # physical lines: c1 spans lines 2-3
        (8, "enrolment"),
        (8, "language"),
        (8, "level"),
        (8, "rating"),
        (8, "url"),
        (9, "skills"),
    }
    assert (8, "rating", "cannot parse as a number") in [row[1:] for row in rows]


def test_generic_jsonl_and_parquet(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    jsonl = tmp_path / "catalogue.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "provider": "acme",
                "course_id": "j1",
                "title": "Kubernetes",
                "language": "fr",
                "skills": ["Docker", " Helm"],
                "level": "Advanced",
                "rating": 4.2,
                "enrolment": 10,
                "extra": {"a": 1},
            }
        )
        + "\n{not json\n"
        + json.dumps({"provider": "acme", "course_id": "j2", "title": "Negative", "enrolment": -1})
        + "\n",
        encoding="utf-8",
    )
    report = _ingest(con, "generic_courses", jsonl)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 1, 2)
    course = _course(con, "j1")
    assert (course["skills"], course["level"], course["rating"], course["enrolment"]) == (
        ["Docker", "Helm"],
        "advanced",
        4.2,
        10,
    )
    assert set(con.execute("SELECT line, field FROM quarantine").fetchall()) == {(2, None), (3, "enrolment")}

    parquet = tmp_path / "catalogue.parquet"
    pl.DataFrame(
        {
            "provider": ["acme", "acme"],
            "course_id": ["p1", "p2"],
            "title": ["Excel", "Accounting"],
            "skills": [["Excel", "Pivot tables"], None],
            "level": ["mixed", "guru"],
            "rating": [3.5, None],
        }
    ).write_parquet(parquet)
    report = _ingest(con, "generic_courses", parquet)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 1, 1)
    assert _course(con, "p1")["skills"] == ["Excel", "Pivot tables"] and _course(con, "p1")["rating"] == 3.5
    rejected = con.execute("SELECT line, field, reason FROM quarantine WHERE file = ?", [str(parquet)]).fetchall()
    assert rejected == [(2, "level", "unknown course level (beginner, intermediate, advanced, mixed)")]


MISSING = "missing required column(s) "


@pytest.mark.parametrize(
    "fmt,name,content,problem",
    [
        ("generic_courses", "bad.csv", b"provider,title\nacme,Excel\n", MISSING + "course_id"),
        ("edx", "edx.csv", b"title,n_enrolled,course_url\nA,1,https://x\n", MISSING + "institution"),
        ("generic_courses", "bad.jsonl", b'{"provider": "acme", "title": "x"}\n', MISSING + "course_id"),
        ("udemy", "udemy.csv", b"", "the file is empty"),
    ],
)
def test_unreadable_files_stop_with_a_clear_error(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, fmt: str, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(problem)) as error:
        _ingest(con, fmt, path)
    assert str(path) in str(error.value)
    assert con.execute("SELECT count(*) FROM courses").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM ingest_runs").fetchall() == [(0,)]


def test_a_truncated_provider_file_is_claimed_by_name_and_reported(tmp_path: Path, inputs: Path) -> None:
    whole = (inputs / COURSES / "udemy_courses.csv.gz").read_bytes()
    path = tmp_path / "udemy_cut.csv.gz"
    path.write_bytes(whole[:40])
    assert format_of(path, "courses").name == "udemy"
    with pytest.raises(InputError, match="not a complete gzip file"):
        format_named("udemy").read(path)


@pytest.mark.parametrize(
    "name,code",
    [
        ("English", "en"),
        ("Español", "es"),
        ("Français", "fr"),
        ("中文", "zh"),
        ("اللغة العربية", "ar"),
        ("en-US", "en"),
        ("eng", "en"),
        ("Spanish", "es"),
        ("klingon", "klingon"),
    ],
)
def test_language_names_become_iso_639_1(name: str, code: str) -> None:
    assert language_code(name) == code
