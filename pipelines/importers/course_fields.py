"""Course rows in one shape: null markers, levels, languages, ids, skill lists, numbers and the rules.

Every course reader builds a frame of string columns named as in the generic course format (`skills`
may already be a list) and hands it to `courses_batch`, which types, normalises and validates it.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pycountry

from pipelines.ingest import Batch, Staged
from pipelines.readers import FILE, LINE, file_checksum, read_csv_strings
from pipelines.validation import QUARANTINE_COLUMNS, between, matches, one_of, parses, required, unique

COLUMNS = (
    "provider",
    "course_id",
    "title",
    "description",
    "skills",
    "language",
    "level",
    "url",
    "organization",
    "subject",
    "rating",
    "enrolment",
)
NULL_MARKERS = ("", "NA", "N/A", "None", "null", "NULL", "nan", "NaN")
LEVELS = ("beginner", "intermediate", "advanced", "mixed")
# Provider wordings (lower case, a trailing " level" removed first, so Udemy's "Expert Level" -> "expert").
LEVEL_NAMES = {
    "beginner": "beginner",
    "introductory": "beginner",
    "introduction": "beginner",
    "basic": "beginner",
    "elementary": "beginner",
    "novice": "beginner",
    "entry": "beginner",
    "intermediate": "intermediate",
    "advanced": "advanced",
    "expert": "advanced",
    "mixed": "mixed",
    "all levels": "mixed",
    "all": "mixed",
}
# Language names as catalogues write them in the language itself; English names and ISO 639-2/3 codes
# are looked up in pycountry.
LANGUAGE_NAMES = {
    "español": "es",
    "castellano": "es",
    "français": "fr",
    "deutsch": "de",
    "italiano": "it",
    "português": "pt",
    "nederlands": "nl",
    "polski": "pl",
    "русский": "ru",
    "türkçe": "tr",
    "中文": "zh",
    "普通话": "zh",
    "日本語": "ja",
    "한국어": "ko",
    "العربية": "ar",
    "اللغة العربية": "ar",
    "हिन्दी": "hi",
}
ISO_639_1 = sorted(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))

RULES = (
    required("course_id"),
    required("title"),
    unique("course_id"),
    parses("rating", pl.col("rating_raw"), "a number"),
    between("rating", 0, 5),
    parses("enrolment", pl.col("enrolment_raw"), "a count (e.g. 6706, 6,706 or 1.2M)"),
    between("enrolment", 0, None),
    parses("skills", pl.col("skills_raw"), "a list of skills"),
    one_of("level", LEVELS, "course level (beginner, intermediate, advanced, mixed)"),
    one_of("language", ISO_639_1, "language (an ISO 639-1 code or a known language name)"),
    matches("url", r"^https?://", "an http(s) URL"),
)
RAW_COLUMNS = ("course_id", "title", "url", "level_raw", "language_raw", "rating_raw", "enrolment_raw", "skills_raw")


def read_catalogue(path: Path, required_columns: Sequence[str]) -> pl.DataFrame:
    """A provider's CSV as stripped strings with null markers (NA, None, ...) as nulls, no unnamed index."""
    return blank_to_null(read_csv_strings(path, required_columns, skip_index_column=True))


def blank_to_null(frame: pl.DataFrame) -> pl.DataFrame:
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.strip_chars().is_in(NULL_MARKERS))
        .then(None)
        .otherwise(pl.col(c).str.strip_chars())
        .alias(c)
        for c in text
    )


def language_code(name: str) -> str:
    """ISO 639-1 code of a language code or name ('English', 'Español', 'en-US', 'eng'); lower-cased input
    when unknown, which the language rule then quarantines."""
    key = name.strip().casefold()
    if key in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[key]
    base = re.split(r"[-_]", key)[0]
    if len(base) == 2 and pycountry.languages.get(alpha_2=base) is not None:
        return base
    try:
        return str(pycountry.languages.lookup(key).alpha_2)
    except (LookupError, AttributeError):
        return key


def slug(text: pl.Expr) -> pl.Expr:
    """Lower case, runs of anything but letters and digits as one '-'."""
    return text.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "-").str.strip_chars("-")


def url_slug(url: pl.Expr) -> pl.Expr:
    """The URL's path without scheme, host, query or repeated slashes: 'learn/machine-learning'."""
    path = url.str.replace(r"^[a-zA-Z]+://[^/]+", "").str.replace(r"[?#].*$", "")
    return path.str.replace_all("/+", "/").str.strip_chars("/").str.to_lowercase()


def parse_list(text: str, separator: str) -> list[str] | None:
    """A '[...]' Python or JSON list literal, else `separator`-separated items; None for a broken literal."""
    if text.lstrip().startswith("["):
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(text)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                continue
            if isinstance(value, list):
                return [str(item) for item in value if item is not None]
        return None
    return text.split(separator)


def _count(raw: pl.Expr) -> pl.Expr:
    """'6,706' -> 6706, '1.2M' -> 1200000, '3k' -> 3000; null when it is none of these."""
    parts = raw.str.replace_all(r"[,\s_]", "").str.extract_groups(r"^(-?\d+(?:\.\d+)?)([kKmM]?)$")
    scale = (
        parts.struct.field("2")
        .str.to_lowercase()
        .replace_strict({"": 1, "k": 1_000, "m": 1_000_000}, default=None, return_dtype=pl.Int64)
    )
    return (parts.struct.field("1").cast(pl.Float64) * scale).round(0).cast(pl.Int64)


def _skills(frame: pl.DataFrame, separator: str) -> pl.DataFrame:
    """`skills` as a clean list (items stripped, blanks and repeats dropped) and `skills_raw` as given."""
    if frame.schema["skills"] == pl.String:
        frame = frame.with_columns(
            skills_raw=pl.col("skills"),
            skills=pl.col("skills").map_elements(
                lambda text: parse_list(text, separator), return_dtype=pl.List(pl.String)
            ),
        )
    else:
        frame = frame.with_columns(pl.col("skills").cast(pl.List(pl.String)), skills_raw=pl.lit(None, pl.String))
    items = pl.element().str.strip_chars()
    kept = pl.col("skills").list.eval(items.filter(items.is_not_null() & (items != "")))
    return frame.with_columns(kept.list.unique(maintain_order=True))


def course_frame(raw: pl.DataFrame, separator: str) -> pl.DataFrame:
    """Typed, normalised course rows (plus `*_raw` helpers for the rules) from generic-format columns."""
    missing = [pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in raw.columns]
    frame = blank_to_null(raw.with_columns(missing)).with_columns(
        (pl.col(c).alias(f"{c}_raw") for c in ("level", "language", "rating", "enrolment")),
        provider=pl.col("provider").str.to_lowercase(),
        level=pl.col("level")
        .str.to_lowercase()
        .str.replace(r"\s+level$", "")
        .replace_strict(LEVEL_NAMES, default=pl.col("level").str.to_lowercase()),
        language=pl.col("language").map_elements(language_code, return_dtype=pl.String),
        rating=pl.col("rating").cast(pl.Float64, strict=False),
        enrolment=_count(pl.col("enrolment")),
    )
    helpers = [c for c in RAW_COLUMNS if c not in COLUMNS]
    return _skills(frame, separator).select(*COLUMNS, *helpers, LINE, FILE)


def courses_batch(
    fmt: str, path: Path, raw: pl.DataFrame, separator: str = ",", rejects: pl.DataFrame | None = None
) -> Batch:
    """One file of courses, ready for `load_batch`."""
    return Batch(
        kind="courses",
        format=fmt,
        source=str(path),
        files=[path],
        checksum=file_checksum([path]),
        staged=[Staged("courses", course_frame(raw, separator), RULES, RAW_COLUMNS)],
        rejects=rejects if rejects is not None else pl.DataFrame(schema=QUARANTINE_COLUMNS),
    )
