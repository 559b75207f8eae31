"""Indeed Hiring Lab's example job titles per occupational sector (format `indeed_sector_titles`: the file
sector-job-title-examples.csv, columns sector and job_titles) into the `crosswalks` table as crosswalk
`indeed_sector_titles`: one row per sector, from_code its display name (as in the sector files), to_code the
example titles as Indeed writes them (comma-separated; the panel splits them and codes each to an ESCO
occupation, pipelines/sector_mixes.py). Indeed's sector files use sectors this list lacks (Real Estate, Social
Science): the panel tries those sectors' names as titles."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.ingest import Batch, Staged
from pipelines.readers import csv_header, file_checksum
from pipelines.validation import required, unique

from .base import Format
from .indeed import FOLDER
from .stats_common import KIND, claimed_files
from .taxonomy_io import read_table, table_rows

NAME = "indeed_sector_titles"
COLUMNS = ("sector", "job_titles")


def read(path: Path) -> Batch:
    raw = read_table(path, COLUMNS)
    rows = table_rows(raw, crosswalk=pl.lit(NAME), from_scheme=pl.lit("indeed_sector"), from_code="sector",
                      from_label="sector", to_scheme=pl.lit("job_titles"), to_code="job_titles",
                      weight=pl.lit(None, pl.Float64), is_primary=pl.lit(None, pl.Boolean))  # fmt: skip
    rules = (required("from_code"), required("to_code"), unique("from_code"))
    staged = Staged("crosswalks", rows, rules, COLUMNS)
    return Batch(KIND, NAME, str(path), [path], file_checksum([path]), [staged])


def claims(path: Path) -> bool:
    return path.name.endswith((".csv", ".csv.gz")) and csv_header(path) == set(COLUMNS)


def find(stats: Path) -> list[Path]:
    return claimed_files(stats / FOLDER, claims)


FORMATS = [Format(NAME, "stats", "Indeed Hiring Lab example job titles per occupational sector (CSV)", find, claims,
                  read)]  # fmt: skip
