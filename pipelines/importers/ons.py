"""UK ONS vacancy survey (format `ons`): vacancies by industry, and the vacancy and unemployment totals.

- vacancy_by_industry.csv: month, year, ind_section (SIC 2007 section letter), vacancies_by_ind (thousands) →
  indicator vacancies, unit "thousand vacancies", class_scheme sic2007, class_code the section (A-U; any other
  code is quarantined as unknown).
- vacancy.csv: month, year, vacancies, unemployment, unemp_per_vacancy → indicators vacancies (thousand
  vacancies), unemployment (thousand persons) and unemp_per_vacancy (ratio), class TOTAL.
geo: GB (the ISO 3166-1 code of the United Kingdom, as in the other sources), geo_level country. freq M.

Periods: the estimates are rolling 3-month averages and a row's month is the *middle* month of its window,
with the year of the window's *end*. The data show it: the series starts at 5/2001 (April-June 2001, the
survey's first quarter) and runs …, 10/2022, 11/2022, 12/2023, 1/2023, … (the November-January window is
labelled 12 of the following year). The period loaded is the first day of the window's end month, ONS's
"three months to" date: month m, year y → (y, m + 1) for m < 12 and (y, 1) for m = 12. The series is then
monthly without gaps or repeats (5/2001 → 2001-06-01; 12/2023, i.e. November 2022-January 2023 →
2023-01-01).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.ingest import Batch
from pipelines.readers import csv_header, read_csv_strings
from pipelines.validation import one_of, parses, required

from .base import Format
from .stats_common import (
    COUNTRY_NAMES,
    NO_CLASS,
    Measure,
    claimed_files,
    data_columns,
    observations,
    stats_batch,
)

NAME = "ons"
FOLDER = "ons_uk_vacancies_by_industry"
PERIOD = ("month", "year")
BY_INDUSTRY = (*PERIOD, "ind_section", "vacancies_by_ind")
TOTALS = (*PERIOD, "vacancies", "unemployment", "unemp_per_vacancy")
SIC2007_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")
THOUSAND_VACANCIES = "thousand vacancies"


def _measure(column: str, indicator: str, unit: str) -> Measure:
    return Measure(column, {"indicator": pl.lit(indicator), "unit": pl.lit(unit)})


def _window_end(month: pl.Expr, year: pl.Expr) -> pl.Expr:
    """First day of the end month of the 3-month window labelled (middle month, year of the window's end)."""
    m = month.str.strip_chars().cast(pl.Int32, strict=False)
    y = year.str.strip_chars().cast(pl.Int32, strict=False)
    return pl.when(m.is_between(1, 12) & y.is_between(1900, 2999)).then(pl.date(y, m % 12 + 1, 1))


def read(path: Path) -> Batch:
    by_industry = set(BY_INDUSTRY) <= csv_header(path)
    raw = read_csv_strings(path, required=BY_INDUSTRY if by_industry else TOTALS)
    records = raw.with_columns(
        source=pl.lit(NAME),
        dataset=pl.lit(path.name.split(".")[0]),
        geo_code=pl.lit("GB"),
        geo_level=pl.lit("country"),
        geo_label=pl.lit(COUNTRY_NAMES["GB"]),
        period=_window_end(pl.col("month"), pl.col("year")),
        freq=pl.lit("M"),
    )
    rules = [parses("period", pl.concat_str(PERIOD), "a month (1-12) and year"), required("period")]
    if by_industry:
        records = records.with_columns(
            class_code=pl.col("ind_section").str.strip_chars().str.to_uppercase(), class_scheme=pl.lit("sic2007")
        )
        rules += [required("class_code"), one_of("class_code", SIC2007_SECTIONS, "SIC 2007 section")]
        measures = [_measure("vacancies_by_ind", "vacancies", THOUSAND_VACANCIES)]
        key = ["class_code", "period"]
    else:
        records = records.with_columns(**NO_CLASS)
        measures = [
            _measure("vacancies", "vacancies", THOUSAND_VACANCIES),
            _measure("unemployment", "unemployment", "thousand persons"),
            _measure("unemp_per_vacancy", "unemp_per_vacancy", "ratio"),
        ]
        key = ["period"]
    staged = observations(records, measures, rules=rules, raw_columns=data_columns(raw), key=key)
    return stats_batch(NAME, path, staged)


def claims(path: Path) -> bool:
    if not path.name.endswith((".csv", ".csv.gz")):
        return False
    header = csv_header(path)
    return set(BY_INDUSTRY) <= header or set(TOTALS) <= header


def find(stats: Path) -> list[Path]:
    return claimed_files(stats / FOLDER, claims)


FORMATS = [
    Format(NAME, "stats", "UK ONS vacancy survey: vacancies by SIC 2007 section and totals (CSV)", find, claims, read)
]
