"""Shared by the labour-statistics importers (ba, ons, indeed, eurostat): input records → `labour_stats` rows.

The loader counts input records (a CSV/TSV line, a Parquet row): each is loaded or quarantined whole, so
that rows read = rows loaded + rows quarantined. A record holds one or more measure cells (BA `total` and
`social_insurance`, the periods of a Eurostat TSV line); every available cell becomes one observation:
- the record's first available cell is its counted row; its other available cells are loaded with it;
- an empty cell or a not-available marker (`NA`, `:`) is no observation; a record without any available
  cell is quarantined as "value not available" (field `value`), so that nothing disappears unaccounted;
- a cell that is not a finite number, or is negative where values cannot be, quarantines its record
  (field: the cell's column);
- a record whose key repeats that of an earlier record of the same file is quarantined as a duplicate
  (the first one is kept).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pycountry

from pipelines.ingest import Batch, Staged
from pipelines.readers import FILE, LINE, file_checksum, files_under
from pipelines.validation import Rule, between

KIND = "stats"
TABLE = "labour_stats"
COLUMNS = (
    "source",
    "dataset",
    "indicator",
    "geo_code",
    "geo_level",
    "geo_label",
    "class_code",
    "class_scheme",
    "period",
    "freq",
    "unit",
)  # and value
NOT_AVAILABLE = ("", "NA", ":")
NO_CLASS = {"class_code": pl.lit("TOTAL"), "class_scheme": pl.lit("total")}
COUNTRY_NAMES = {c.alpha_2: c.name for c in pycountry.countries} | {"EA": "Euro area"}


@dataclass(frozen=True)
class Measure:
    """One measure cell of every record: its column, and the labour_stats columns that depend on it."""

    column: str
    sets: Mapping[str, pl.Expr]


def available(frame: pl.DataFrame, column: str) -> pl.Expr:
    """True where the cell holds something other than a not-available marker."""
    cell = pl.col(column)
    if frame.schema[column] == pl.String:
        return cell.is_not_null() & ~cell.str.strip_chars().is_in(NOT_AVAILABLE)
    return cell.is_not_null() & ~cell.cast(pl.Float64).is_nan()


def number(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The cell as a finite float; null when it is not available or not a number."""
    cell = pl.col(column)
    text = cell.str.strip_chars() if frame.schema[column] == pl.String else cell
    value = text.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def slug(text: pl.Expr) -> pl.Expr:
    """Lower-case words joined by underscores: 'Marginal part-time' → 'marginal_part_time'."""
    return text.str.to_lowercase().str.replace_all(r"[^0-9a-z]+", "_").str.strip_chars("_")


def observations(
    records: pl.DataFrame,
    measures: Sequence[Measure],
    *,
    rules: Sequence[Rule],
    raw_columns: Sequence[str],
    key: Sequence[str],
    nonnegative: bool | pl.Expr = True,
) -> list[Staged]:
    """Stage the observations of `records` (one row per input record, with `_file`, `_line` and every
    labour_stats column the measures do not set) under the record `rules` plus the cell, availability and
    duplicate rules.

    `nonnegative` is True, False, or an expression telling for which records values must not be negative."""
    must_be_nonnegative = pl.lit(nonnegative) if isinstance(nonnegative, bool) else nonnegative
    present = [available(records, m.column) for m in measures]
    cell_rules = []
    for measure, is_present in zip(measures, present, strict=True):
        value = number(records, measure.column)
        cell_rules.append(Rule(measure.column, "cannot parse as a number", ~(is_present & value.is_null()), None))
        if nonnegative is not False:
            negative = (must_be_nonnegative & (value < 0)).fill_null(False)
            cell_rules.append(Rule(measure.column, "negative value", ~negative, None))
    # cells are checked above; this keeps the GX expectation on the values loaded
    positive = dataclasses.replace(between("value", 0, None), valid=pl.lit(True))
    loaded_value = [positive] if nonnegative is True else []
    record_rules = [
        *rules,
        *cell_rules,
        Rule("value", "value not available", pl.any_horizontal(present), None),
        Rule(
            key[-1],
            f"duplicate record: an earlier one has the same {', '.join(key)}",
            pl.struct(key).is_first_distinct(),
            None,
        ),
        *loaded_value,
    ]
    if len(measures) == 1:
        (measure,) = measures
        counted = records.with_columns(
            *(e.alias(c) for c, e in measure.sets.items()), number(records, measure.column).alias("value")
        )
        return [Staged(TABLE, counted, record_rules, raw_columns)]

    first = pl.coalesce([pl.when(p).then(pl.lit(i)) for i, p in enumerate(present)]).fill_null(0)
    records = records.with_columns(first.alias("_first"))
    shared = [c for c in COLUMNS if c in records.columns]
    cells = pl.concat(
        [
            records.select(
                FILE,
                LINE,
                "_first",
                *shared,
                *(e.alias(c) for c, e in m.sets.items()),
                number(records, m.column).alias("value"),
                p.alias("_present"),
                pl.lit(i).alias("_cell"),
            )
            for i, (m, p) in enumerate(zip(measures, present, strict=True))
        ]
    )
    own = [c for c in COLUMNS if c not in shared]
    firsts = cells.filter(pl.col("_cell") == pl.col("_first")).select(FILE, LINE, *own, "value")
    counted = records.join(firsts, on=[FILE, LINE], how="left", maintain_order="left")
    others = cells.filter(pl.col("_present") & (pl.col("_cell") != pl.col("_first"))).select(
        FILE, LINE, *COLUMNS, "value"
    )
    return [
        Staged(TABLE, counted, record_rules, raw_columns),
        Staged(TABLE, others, loaded_value, counted=False, min_rows=0),
    ]


def stats_batch(
    format_name: str,
    path: Path,
    staged: list[Staged],
    extra_files: Sequence[Path] = (),
) -> Batch:
    """One source: `path`, read with `extra_files` (e.g. code lists), all part of the checksum."""
    files = [path, *extra_files]
    return Batch(KIND, format_name, str(path), files, file_checksum(files), staged)


def claimed_files(folder: Path, claims: Callable[[Path], bool]) -> list[Path]:
    """Every file under `folder` (recursively) that `claims` accepts, sorted by path."""
    if not folder.is_dir():
        return []
    return [path for path in files_under(folder) if claims(path)]


def data_columns(frame: pl.DataFrame) -> list[str]:
    """The input's own columns, without the position columns."""
    return [c for c in frame.columns if c not in (FILE, LINE)]


def date_of(text: pl.Expr, fmt: str) -> pl.Expr:
    return text.str.strip_chars().str.strptime(pl.Date, fmt, strict=False)
