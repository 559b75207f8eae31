"""Job postings: the EURES sample format and the generic format (CSV, JSONL or Parquet).

Generic format, one posting per row/line:
  required  posting_id, title, posted_at (ISO date, YYYY-MM-DD; a time part is ignored),
            country (ISO 3166-1 alpha-2; the EU codes EL and UK are read as GR and GB)
  optional  description, region, sector, occupation, language (ISO 639-1), source, url (http/https)
`source` defaults to the file's name without extensions; a posting's key is `source:posting_id`.
Exact duplicates (same normalised text) and near-duplicates (MinHash of word 3-shingles) are linked to
the earliest posting through `duplicate_of` / `near_duplicate_of`, across every file loaded.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pycountry

from features.text import duplicate_links, text_fingerprints
from pipelines.ingest import Batch, Staged
from pipelines.readers import (
    FILE,
    LINE,
    check_columns,
    csv_header,
    file_checksum,
    files_under,
    read_csv_strings,
    read_jsonl_strings,
    read_parquet_checked,
    with_position,
)
from pipelines.validation import QUARANTINE_COLUMNS, matches, one_of, parses, required, unique

from .base import Format

REQUIRED = ("posting_id", "title", "posted_at", "country")
OPTIONAL = ("description", "region", "sector", "occupation", "language", "source", "url")
EURES_COLUMNS = ("job_id", "job_title", "date", "country_code", "full_description")
EURES_TRANSLATED = "european_jobs2_titles_translated_en"
PERMUTATIONS, BANDS, THRESHOLD = 16, 4, 0.8
COUNTRIES = sorted(c.alpha_2 for c in pycountry.countries)
_ALIASES = {"EL": "GR", "UK": "GB"}


def _stem(path: Path) -> str:
    return path.name.split(".")[0]


def _posting_frame(raw: pl.DataFrame, source: pl.Expr) -> pl.DataFrame:
    """Typed posting rows from string columns named as in the generic format."""
    for column in OPTIONAL:
        if column not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(column))
    typed = raw.with_columns(
        pl.col(c).cast(pl.String).str.strip_chars() for c in (*REQUIRED, *OPTIONAL) if c != "description"
    ).with_columns(
        source=pl.coalesce(pl.col("source"), source),
        country=pl.col("country").str.to_uppercase().replace(_ALIASES),
        language=pl.col("language").str.to_lowercase(),
        posted_at_raw=pl.col("posted_at"),
        posted_at=pl.col("posted_at").str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
    )
    return typed.with_columns(posting_key=pl.col("source") + ":" + pl.col("posting_id"))


def _with_fingerprints(postings: pl.DataFrame) -> pl.DataFrame:
    """`text_hash` and `minhash` of title and description (computed per chunk by the loader)."""
    text = pl.concat_str(["title", "description"], separator=" ", ignore_nulls=True)
    return text_fingerprints(postings, text, PERMUTATIONS)


RULES = (
    required("posting_id"),
    required("title"),
    required("country"),
    parses("posted_at", pl.col("posted_at_raw"), "an ISO date (YYYY-MM-DD)"),
    required("posted_at"),
    one_of("country", COUNTRIES, "ISO 3166-1 alpha-2 country code"),
    matches("language", r"^[a-z]{2}$", "an ISO 639-1 language code"),
    matches("url", r"^https?://", "an http(s) URL"),
    unique("posting_id"),
)


def _relink_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute exact and near-duplicate links over every posting in the warehouse; write the changed ones."""
    postings = con.sql(
        "SELECT posting_key, posted_at, text_hash, minhash, duplicate_of, near_duplicate_of FROM postings"
    ).pl()
    links = duplicate_links(postings, BANDS, THRESHOLD)
    changed = links.filter(
        links["duplicate_of"].ne_missing(postings["duplicate_of"])
        | links["near_duplicate_of"].ne_missing(postings["near_duplicate_of"])
    )
    del postings, links
    con.register("links", changed.to_arrow())
    con.execute(
        "UPDATE postings SET duplicate_of = links.duplicate_of, near_duplicate_of = links.near_duplicate_of "
        "FROM links WHERE postings.posting_key = links.posting_key"
    )
    con.unregister("links")


def _batch(
    fmt: str,
    path: Path,
    files: list[Path],
    frame: pl.DataFrame,
    raw_columns: tuple[str, ...],
    rejects: pl.DataFrame | None = None,
) -> Batch:
    return Batch(
        kind="postings",
        format=fmt,
        source=str(path),
        files=files,
        checksum=file_checksum(files),
        staged=[Staged("postings", frame, RULES, raw_columns, key="posting_key", derive=_with_fingerprints)],
        rejects=rejects if rejects is not None else pl.DataFrame(schema=QUARANTINE_COLUMNS),
        after_load=_relink_duplicates,
    )


def _generic(fmt: str, path: Path, raw: pl.DataFrame, rejects: pl.DataFrame | None = None) -> Batch:
    check_columns(path, raw.columns, REQUIRED)
    frame = _posting_frame(raw, pl.lit(_stem(path)))
    return _batch(fmt, path, [path], frame, (*REQUIRED, "language", "url"), rejects)


def read_generic_csv(path: Path) -> Batch:
    return _generic("generic_csv", path, read_csv_strings(path, REQUIRED))


def read_generic_parquet(path: Path) -> Batch:
    raw = read_parquet_checked(path, REQUIRED)
    return _generic("generic_parquet", path, with_position(raw.with_columns(pl.all().cast(pl.String)), path))


def read_generic_jsonl(path: Path) -> Batch:
    """One JSON object per line; a line that is not one is quarantined, not fatal."""
    raw, rejects = read_jsonl_strings(path)
    return _generic("generic_jsonl", path, raw, rejects)


def read_eures(path: Path) -> Batch:
    """A EURES sample file; English titles from the translated companion file are attached when present."""
    raw = read_csv_strings(path, EURES_COLUMNS)
    files = [path]
    translated = sorted(path.parent.glob(f"{EURES_TRANSLATED}.csv*"))
    coords = (
        pl.col("coordinates").str.extract_groups(r"\(\s*([-\d.]+),\s*([-\d.]+)\s*\)")
        if "coordinates" in raw.columns
        else None
    )
    generic = raw.select(
        pl.col("job_id").alias("posting_id"),
        pl.col("job_title").alias("title"),
        pl.col("date").alias("posted_at"),
        pl.col("country_code").alias("country"),
        pl.col("full_description").alias("description"),
        pl.col("region"),
        pl.when(pl.col("field") != "Other / Undefined").then(pl.col("field")).alias("sector")
        if "field" in raw.columns
        else pl.lit(None, pl.String).alias("sector"),
        pl.col("company_name").alias("company")
        if "company_name" in raw.columns
        else pl.lit(None, pl.String).alias("company"),
        *(
            [
                coords.struct.field("1").cast(pl.Float64, strict=False).alias("latitude"),
                coords.struct.field("2").cast(pl.Float64, strict=False).alias("longitude"),
            ]
            if coords is not None
            else []
        ),
        pl.col(LINE),
        pl.col(FILE),
    )
    frame = _posting_frame(generic, pl.lit("eures"))
    if translated:
        files.append(translated[0])
        # The translated file numbers its ads apart from the original (same job_id, other ad): match the ad
        # itself, by company, date and full description.
        keys = ["company_name", "date", "full_description"]
        titles = (
            read_csv_strings(translated[0], ("job_title", *keys))
            .select(*keys, pl.col("job_title").alias("title_en"))
            .unique(keys, keep="first")
        )
        by_line = raw.join(titles, on=keys, how="left").select(LINE, FILE, "title_en")
        frame = frame.join(by_line, on=[LINE, FILE], how="left")
    return _batch("eures", path, files, frame, ("job_id", "job_title", "date", "country_code"))


def _is_eures(path: Path) -> bool:
    return path.is_file() and EURES_TRANSLATED not in path.name and set(EURES_COLUMNS) <= csv_header(path)


def _is_generic_csv(path: Path) -> bool:
    return path.is_file() and ".csv" in path.suffixes and set(REQUIRED) <= csv_header(path)


FORMATS = [
    Format(
        "eures",
        "postings",
        "EURES job ads sample (job_id, job_title, date, country_code, full_description)",
        lambda folder: [p for p in files_under(folder, "*.csv*") if _is_eures(p)],
        _is_eures,
        read_eures,
    ),
    Format(
        "generic_csv",
        "postings",
        "generic postings CSV (posting_id, title, posted_at, country, ...)",
        lambda folder: [p for p in files_under(folder, "*.csv*") if not _is_eures(p) and _is_generic_csv(p)],
        _is_generic_csv,
        read_generic_csv,
    ),
    Format(
        "generic_jsonl",
        "postings",
        "generic postings, one JSON object per line (.jsonl)",
        lambda folder: files_under(folder, "*.jsonl"),
        lambda p: p.suffix == ".jsonl",
        read_generic_jsonl,
    ),
    Format(
        "generic_parquet",
        "postings",
        "generic postings in Parquet",
        lambda folder: files_under(folder, "*.parquet"),
        lambda p: p.suffix == ".parquet",
        read_generic_parquet,
    ),
]
