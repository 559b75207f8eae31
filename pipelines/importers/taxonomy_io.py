"""Helpers shared by the taxonomy importers (ESCO, O*NET, crosswalks): finding a folder's files,
reading them as strings, shaping table rows and screening raw records before they are typed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from pipelines.readers import FILE, LINE, InputError, read_csv_strings
from pipelines.validation import Rule, rejected_rows

SUFFIXES = (".csv.gz", ".csv")


def find_file(folder: Path, *names: str) -> Path | None:
    """The first existing `<name>.csv.gz` or `<name>.csv` in `folder`, trying the names in order."""
    for name in names:
        for suffix in SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return path
    return None


def need_file(folder: Path, *names: str) -> Path:
    """Like find_file, but a missing file is an InputError naming the folder and the file."""
    path = find_file(folder, *names)
    if path is None:
        raise InputError(folder, f"missing required file {names[0]}.csv or {names[0]}.csv.gz")
    return path


def read_table(path: Path, required: Iterable[str], optional: Iterable[str] = ()) -> pl.DataFrame:
    """All columns as strings with `_file`/`_line`; absent optional columns are added as nulls."""
    frame = read_csv_strings(path, required)
    return frame.with_columns(pl.lit(None, pl.String).alias(c) for c in optional if c not in frame.columns)


def table_rows(frame: pl.DataFrame, **columns: str | pl.Expr) -> pl.DataFrame:
    """Rows of a warehouse table: the named columns (a source column name or an expression), `_file` and
    `_line`; text is stripped and empty text becomes null."""
    rows = frame.select(
        *[(pl.col(value) if isinstance(value, str) else value).alias(name) for name, value in columns.items()],
        pl.col(FILE),
        pl.col(LINE),
    )
    texts = [
        pl.col(name).str.strip_chars() for name, dtype in rows.schema.items() if dtype == pl.String and name != FILE
    ]
    return rows.with_columns(pl.when(text != "").then(text) for text in texts)


def number(column: str, dtype: type[pl.DataType] = pl.Float64) -> pl.Expr:
    """The text column parsed as a number; null when it does not parse."""
    return pl.col(column).str.strip_chars().cast(dtype, strict=False)


def flag(column: str, yes: str, no: str) -> pl.Expr:
    """The text column as a boolean: `yes` → True, `no` → False, anything else null."""
    text = pl.col(column).str.strip_chars()
    return pl.when(text == yes).then(True).when(text == no).then(False).otherwise(None)


def screen(frame: pl.DataFrame, rules: Sequence[Rule], raw_columns: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split off the records failing `rules` (checks on raw text that is not loaded as such, e.g. a number
    before parsing): the remaining records, and one quarantine row per failing record (its first failure),
    to be passed as `Batch.rejects`."""
    rejects = rejected_rows(frame, rules, raw_columns)
    rejects = rejects.unique(["file", "line"], keep="first", maintain_order=True)
    bad = rejects.select(pl.col("file").alias(FILE), pl.col("line").alias(LINE))
    return frame.join(bad, on=[FILE, LINE], how="anti"), rejects


def version_row(taxonomy: str, version: str, languages: list[str], source: str) -> pl.DataFrame:
    """The taxonomy_versions row of a source (a derived row: it is not an input record)."""
    return pl.DataFrame(
        {"taxonomy": [taxonomy], "version": [version], "languages": [languages], FILE: [source], LINE: [0]},
        schema={
            "taxonomy": pl.String,
            "version": pl.String,
            "languages": pl.List(pl.String),
            FILE: pl.String,
            LINE: pl.Int64,
        },
    )
