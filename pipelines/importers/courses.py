"""MOOC catalogues (the supply side): Coursera, edX, Udemy and Udacity exports and a generic course format.

Generic course format (`generic_courses`): one course per CSV row, JSON Lines object or Parquet row.
  required  provider (lower-cased on load), course_id (unique within the file), title
  optional  description, skills, language, level, url (http/https), organization, subject,
            rating (0-5), enrolment (a count >= 0; "6,706", "1.2M" and "3k" are read too)
`skills` is a `;`-separated string in CSV and a list of strings in JSON Lines and Parquet. `language` is
an ISO 639-1 code (a language name such as "English" or "Español", or "en-US", is converted); `level` is
beginner | intermediate | advanced | mixed (provider wordings such as "Introductory" are converted). Empty
cells and NA, N/A, None, null, nan count as missing. Other columns are ignored.

Provider exports (one file is one source; recognised by their header, or by a file name starting with the
provider's name when the header cannot be read):
  coursera  the 2023 scrape (unnamed index, course_title, course_url, course_skills, course_summary, ...)
            and the 2024 one (Title, Organization, Skills, Rating, Difficulty, ...; no URL, no enrolment:
            its Reviews column counts reviews, not learners)
  edx       title, summary, n_enrolled, institution, Level, subject, language, course_description,
            course_syllabus, course_url
  udemy     course_id, course_title, url, num_subscribers, level, subject
  udacity   Course Name, University, Difficulty Level, Course Rating, Course URL, Course Description, Skills
course_id is the provider's id where the file has one (Udemy's course_id, Udacity's key such as nd027 at
the end of the URL), else the URL path ('learn/machine-learning'), else a slug of organisation and title.
Descriptions gather every descriptive text, blank-line separated: Coursera 2023 description then its
learning outcomes (one per line); edX summary, description, then syllabus. `language` is only what a file
states (edX); Coursera, Udemy and Udacity leave it null since their catalogues mix languages or do not say.
Udacity's "University" is one of its schools (School of Data Science, ...), loaded as `subject`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from pipelines.ingest import Batch
from pipelines.readers import (
    FILE,
    LINE,
    check_columns,
    csv_header,
    files_under,
    read_csv_strings,
    read_jsonl_strings,
    read_parquet_checked,
    with_position,
)

from .base import Format
from .course_fields import COLUMNS, courses_batch, parse_list, read_catalogue, slug, url_slug

COURSERA_2023 = ("course_title", "course_url", "course_skills")
COURSERA_2024 = ("Title", "Organization", "Skills")
EDX = ("title", "n_enrolled", "institution", "course_url")
UDEMY = ("course_id", "course_title", "url", "num_subscribers")
UDACITY = ("Course Name", "Course URL")
GENERIC = ("provider", "course_id", "title")


def _col(raw: pl.DataFrame, name: str) -> pl.Expr:
    """An optional column, null when the file lacks it."""
    return pl.col(name) if name in raw.columns else pl.lit(None, pl.String)


def _texts(*parts: pl.Expr) -> pl.Expr:
    """Non-empty texts, blank-line separated."""
    return pl.concat_str(parts, separator="\n\n", ignore_nulls=True).alias("description")


def _outcomes(summary: pl.Expr) -> pl.Expr:
    """A list literal of learning outcomes as one line each; null when there are none."""
    items = summary.map_elements(lambda text: parse_list(text, "\n"), return_dtype=pl.List(pl.String))
    lines = items.list.eval(pl.element().str.strip_chars()).list.join("\n")
    return pl.when(lines != "").then(lines)


def _coursera(raw: pl.DataFrame) -> pl.DataFrame:
    """Either Coursera scrape in the generic columns."""
    if "Title" in raw.columns:  # 2024: no URL, so the id is a slug of organisation and title
        return raw.select(
            course_id=pl.concat_str(
                [slug(pl.col("Organization")), slug(pl.col("Title"))], separator="/", ignore_nulls=True
            ),
            title="Title",
            skills="Skills",
            level=_col(raw, "Difficulty"),
            organization="Organization",
            rating=_col(raw, "Rating"),
        )
    return raw.select(
        course_id=url_slug(pl.col("course_url")),
        title="course_title",
        description=_texts(_col(raw, "course_description"), _outcomes(_col(raw, "course_summary"))),
        skills="course_skills",
        level=_col(raw, "course_difficulty"),
        url="course_url",
        organization=_col(raw, "course_organization"),
        rating=_col(raw, "course_rating"),
        enrolment=_col(raw, "course_students_enrolled"),
    )


def _edx(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.select(
        course_id=url_slug(pl.col("course_url")),
        title="title",
        description=_texts(*(_col(raw, c) for c in ("summary", "course_description", "course_syllabus"))),
        language=_col(raw, "language"),
        level=_col(raw, "Level"),
        url="course_url",
        organization="institution",
        subject=_col(raw, "subject"),
        enrolment="n_enrolled",
    )


def _udemy(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.select(
        course_id="course_id",
        title="course_title",
        level=_col(raw, "level"),
        url="url",
        subject=_col(raw, "subject"),
        enrolment="num_subscribers",
    )


def _udacity(raw: pl.DataFrame) -> pl.DataFrame:
    key = pl.col("Course URL").str.extract(r"--([A-Za-z]+\d[\w-]*?)/?$")
    return raw.select(
        course_id=pl.coalesce(key, url_slug(pl.col("Course URL"))),
        title="Course Name",
        description=_col(raw, "Course Description"),
        skills=_col(raw, "Skills"),
        level=_col(raw, "Difficulty Level"),
        url="Course URL",
        subject=_col(raw, "University"),
        rating=_col(raw, "Course Rating"),
    )


def _provider_reader(
    name: str, pick: Callable[[Path], tuple[str, ...]], shape: Callable[[pl.DataFrame], pl.DataFrame]
) -> Callable[[Path], Batch]:
    def read(path: Path) -> Batch:
        raw = read_catalogue(path, pick(path))
        frame = shape(raw).hstack(raw.select(LINE, FILE)).with_columns(provider=pl.lit(name))
        return courses_batch(name, path, frame)

    return read


def _coursera_columns(path: Path) -> tuple[str, ...]:
    return COURSERA_2024 if "Title" in csv_header(path) else COURSERA_2023


def _read_generic_csv(path: Path) -> Batch:
    return courses_batch("generic_courses", path, read_csv_strings(path, GENERIC), separator=";")


def _read_generic_parquet(path: Path) -> Batch:
    raw = read_parquet_checked(path, GENERIC)
    typed = raw.select(
        pl.col(c) if c == "skills" and isinstance(raw.schema[c], pl.List) else pl.col(c).cast(pl.String)
        for c in COLUMNS
        if c in raw.columns
    )
    return courses_batch("generic_courses", path, with_position(typed, path), separator=";")


def _read_generic_jsonl(path: Path) -> Batch:
    raw, rejects = read_jsonl_strings(path)
    check_columns(path, raw.columns, GENERIC)
    return courses_batch("generic_courses", path, raw, separator=";", rejects=rejects)


def read_generic(path: Path) -> Batch:
    if path.suffix == ".jsonl":
        return _read_generic_jsonl(path)
    if path.suffix == ".parquet":
        return _read_generic_parquet(path)
    return _read_generic_csv(path)


def _csv_claim(name: str, *signatures: tuple[str, ...]) -> Callable[[Path], bool]:
    """A CSV whose header has one of the signatures, or named after the provider with an unreadable header
    (so that reading it reports the problem instead of skipping the file)."""

    def claims(path: Path) -> bool:
        if not path.is_file() or ".csv" not in path.suffixes:
            return False
        header = csv_header(path)
        named = path.name.lower().startswith(name)
        return any(set(s) <= header for s in signatures) or (not header and named)

    return claims


def _generic_claims(path: Path) -> bool:
    if not path.is_file():
        return False
    if path.suffix in (".jsonl", ".parquet"):
        return True
    return ".csv" in path.suffixes and set(GENERIC) <= csv_header(path)


def _format(name: str, description: str, claims: Callable[[Path], bool], read: Callable[[Path], Batch]) -> Format:
    def find(folder: Path) -> list[Path]:
        return [path for path in files_under(folder) if claims(path)]

    return Format(name, "courses", description, find, claims, read)


FORMATS = [
    _format(
        "coursera",
        "Coursera catalogue scrapes, 2023 (course_title, course_url, course_skills, ...) or "
        "2024 (Title, Organization, Skills, ...)",
        _csv_claim("coursera", COURSERA_2023, COURSERA_2024),
        _provider_reader("coursera", _coursera_columns, _coursera),
    ),
    _format(
        "edx",
        "edX catalogue (title, n_enrolled, institution, course_url, ...)",
        _csv_claim("edx", EDX),
        _provider_reader("edx", lambda _: EDX, _edx),
    ),
    _format(
        "udemy",
        "Udemy catalogue (course_id, course_title, url, num_subscribers, ...)",
        _csv_claim("udemy", UDEMY),
        _provider_reader("udemy", lambda _: UDEMY, _udemy),
    ),
    _format(
        "udacity",
        "Udacity catalogue (Course Name, Course URL, ...)",
        _csv_claim("udacity", UDACITY),
        _provider_reader("udacity", lambda _: UDACITY, _udacity),
    ),
    _format(
        "generic_courses",
        "generic course catalogue (provider, course_id, title, ...) in CSV, JSON Lines (.jsonl) or Parquet",
        _generic_claims,
        read_generic,
    ),
]
