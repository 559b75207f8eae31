"""German Federal Employment Agency (BA) statistics by district and occupation group (format `ba`).

Sources: the Parquet files of the `badata` package (stats/ba_germany_vacancies), one source per file, read
with the two code lists beside it (region_codes.parquet, occupational_group_codes.parquet), which are part
of the source's files and checksum. Layouts, recognised by their columns besides region,
occupational_group and year:
- total, social_insurance (jobs.parquet): registered vacancies, annual averages → indicators
  vacancies_total and vacancies_social_insurance, unit vacancies;
- total, women (unemployed_total.parquet, unemployed_foreigners.parquet): unemployed persons, annual
  averages → unemployed and unemployed_women, unemployed_foreigners and unemployed_foreigners_women,
  unit persons;
- type, group, n (employees_by_workplace.parquet, one value per row): employees →
  employees_<type>_<group>, e.g. employees_social_insurance_total, employees_marginal_part_time_women,
  unit persons.
geo: region, the 5-digit district code (AGS; geo_level district; an integer or shortened code is
zero-padded), labelled from region_codes. class: occupational_group, the 3-digit KldB 2010 group
(class_scheme kldb2010). Period: year → YYYY-01-01, freq A.

Totals and residual codes: the files hold no total rows. A null occupational_group is the code list's
residual entry "ohne Angabe zum Zielberuf" (no target occupation stated; not a total: it is far smaller
than the sum of the 144 groups) and is loaded as class_code `unspecified`. A null region (jobs.parquet:
vacancies not assigned to any district, about 1% of them) has no code and is quarantined as a missing
geo_code. Codes missing from the code lists are quarantined as unknown. Empty values (BA suppresses small
counts) are quarantined as "value not available".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl
import polars.selectors as cs

from pipelines.ingest import Batch
from pipelines.readers import FILE, LINE, InputError, check_columns
from pipelines.validation import one_of, parses, required

from .base import Format
from .stats_common import Measure, claimed_files, observations, slug, stats_batch

NAME = "ba"
FOLDER = "ba_germany_vacancies"
REGIONS, OCCUPATIONS = "region_codes.parquet", "occupational_group_codes.parquet"
DIMENSIONS = ("region", "occupational_group", "year")
UNSPECIFIED = "unspecified"
EMPLOYEE_TYPES, EMPLOYEE_GROUPS = ("social insurance", "marginal part-time"), ("total", "women", "foreigners")


def _schema(path: Path) -> dict[str, pl.DataType]:
    try:
        return pl.read_parquet_schema(path)
    except (OSError, pl.exceptions.PolarsError) as err:
        raise InputError(path, f"not a readable Parquet file ({str(err).splitlines()[0]})") from err


def _read(
    path: Path,
    columns: Sequence[str],
    derive: Callable[[pl.LazyFrame], pl.LazyFrame] = lambda f: f,
) -> pl.DataFrame:
    """The given columns of a Parquet file, transformed by `derive` in one streaming pass."""
    check_columns(path, _schema(path), columns)
    try:
        return derive(pl.scan_parquet(path).select(columns)).collect()
    except (OSError, pl.exceptions.PolarsError) as err:
        raise InputError(path, f"not a readable Parquet file ({str(err).splitlines()[0]})") from err


def _layout(path: Path, columns: set[str]) -> tuple[str, ...]:
    """The value columns of the file's layout; InputError when the columns match none."""
    for values in (("type", "group", "n"), ("total", "social_insurance"), ("total", "women")):
        if set(values) <= columns:
            return values
    raise InputError(
        path,
        "not a BA statistics layout: expected region, occupational_group, year and "
        "total + social_insurance, total + women, or type + group + n",
    )


def _code(column: str, digits: int) -> pl.Expr:
    """A code as text of `digits` digits, leading zeros kept (or restored when the file stored numbers)."""
    return pl.col(column).cast(pl.String).str.strip_chars().str.zfill(digits)


def _code_list(data_file: Path, name: str, digits: int) -> dict[str | None, str | None]:
    path = data_file.parent / name
    if not path.is_file():
        raise InputError(path, f"code list not found (needed to read {data_file.name})")
    codes = _read(path, ("code", "name")).with_columns(_code("code", digits))
    return dict(zip(codes["code"], codes["name"], strict=True))


def _measures(stem: str, values: tuple[str, ...]) -> list[Measure]:
    persons = {"unit": pl.lit("persons")}
    if values == ("type", "group", "n"):
        indicator = pl.concat_str(
            pl.lit("employees_"),
            slug(pl.col("type").cast(pl.String)),
            pl.lit("_"),
            slug(pl.col("group").cast(pl.String)),
        ).cast(pl.Categorical)
        return [Measure("n", {"indicator": indicator, **persons})]
    if values == ("total", "social_insurance"):
        vacancies = {"unit": pl.lit("vacancies")}
        return [
            Measure("total", {"indicator": pl.lit("vacancies_total"), **vacancies}),
            Measure("social_insurance", {"indicator": pl.lit("vacancies_social_insurance"), **vacancies}),
        ]
    base = stem.removesuffix("_total")
    return [
        Measure("total", {"indicator": pl.lit(base), **persons}),
        Measure("women", {"indicator": pl.lit(f"{base}_women"), **persons}),
    ]


def read(path: Path) -> Batch:
    values = _layout(path, set(_schema(path)))
    regions = _code_list(path, REGIONS, 5)
    occupations = _code_list(path, OCCUPATIONS, 3)
    columns = (*DIMENSIONS, *values)
    records = _read(
        path,
        columns,
        lambda raw: (
            raw.with_row_index(LINE, offset=1)
            .with_columns(
                pl.col(LINE).cast(pl.Int64),
                pl.lit(str(path)).alias(FILE),
                source=pl.lit(NAME),
                dataset=pl.lit(path.stem),
                geo_code=_code("region", 5),
                geo_level=pl.lit("district"),
                geo_label=_code("region", 5).replace_strict(regions, default=None, return_dtype=pl.String),
                class_code=_code("occupational_group", 3).fill_null(UNSPECIFIED),
                class_scheme=pl.lit("kldb2010"),
                period=pl.date(pl.col("year").cast(pl.Int32, strict=False), 1, 1),
                freq=pl.lit("A"),
            )
            .with_columns(cs.string().exclude(FILE).cast(pl.Categorical))
        ),
    )  # millions of rows, few distinct values
    rules = [
        required("geo_code"),
        one_of("geo_code", sorted(c for c in regions if c), "district code (AGS)"),
        one_of("class_code", sorted({c or UNSPECIFIED for c in occupations}), "KldB 2010 occupation group"),
        parses("period", pl.col("year"), "a year"),
        required("period"),
    ]
    key = ["geo_code", "class_code", "period"]
    if "type" in values:
        rules += [
            one_of("type", EMPLOYEE_TYPES, "employment type"),
            one_of("group", EMPLOYEE_GROUPS, "group of employees"),
        ]
        key += ["type", "group"]
    staged = observations(records, _measures(path.stem, values), rules=rules, raw_columns=columns, key=key)
    return stats_batch(NAME, path, staged, [path.parent / REGIONS, path.parent / OCCUPATIONS])


def claims(path: Path) -> bool:
    if path.suffix != ".parquet":
        return False
    try:
        return set(DIMENSIONS) <= set(pl.read_parquet_schema(path))
    except (OSError, pl.exceptions.PolarsError):
        return False


def find(stats: Path) -> list[Path]:
    return claimed_files(stats / FOLDER, claims)


FORMATS = [
    Format(NAME, "stats", "German BA district × occupation statistics (Parquet, badata layout)", find, claims, read)
]
