"""Indeed Hiring Lab job-postings data (format `indeed`): every CSV of the indeed_hiring_lab tree, one
source per file, its layout recognised by its columns.

- national (aggregate_job_postings_XX): daily indices of seasonally adjusted and raw postings → indicators
  total_postings_index_sa / _nsa and new_postings_index_sa / _nsa (from `variable`), geo the country;
- sector (job_postings_by_sector_XX): daily SA index per occupational sector → class_scheme indeed_sector,
  class_code the sector's display_name (Indeed's sector list has no codes, and sector-job-title-examples.csv
  misses sectors the files use, so sectors are required but not checked against a list);
- regional (regional_gb, city_postings_gb, state_job_postings_us, provincial_postings_ca): daily SA index
  → total_postings_index_sa; geo UK regions as NUTS-1 codes (UKC … UKN, geo_level uk_region; a region name not
  in that list is quarantined as unknown), UK cities as GB:<name> (city), US states and Canadian provinces as
  ISO 3166-2 codes US-XX (us_state) and CA-XX (ca_province), checked against ISO 3166-2;
- trackers (ai_tracker, remote_tracker): one daily <x>_share_<y> column, percent of postings or searches →
  the column's name in lower case (ai_share_postings, genai_share_postings, remote_share_searches …),
  by sector too when there is a `sector` column;
- wage_tracker (posted-wage-growth-by-country / -by-sector): monthly ('Jan-19') year-on-year growth of posted
  wages as a fraction (0.02 = 2%) → posted_wage_growth_yoy and posted_wage_growth_yoy_3moavg; values may be
  negative. n_obs (the sample size) is not a labour-market figure and is not loaded. The 3-month average is
  NA in each series' first two months: those cells are no observation, the record still loads its yoy value.
Countries are ISO 3166-1 alpha-2 codes (geo_level country) plus EA, the euro area (country_group); unit of the
indices: "index (2020-02-01 = 100)". Indices are daily (freq D), the wage tracker monthly (M).
Data surprise: remote_searches.csv.gz holds every (date, country) up to 2026-03-31 twice (21,176 repeats),
identical but for JP, whose 2,646 repeats differ slightly (by 0.013 points on average); the first row is
loaded and the repeat quarantined as a duplicate.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pycountry

from pipelines.ingest import Batch
from pipelines.readers import InputError, csv_header, read_csv_strings
from pipelines.validation import Rule, one_of, parses, required

from .base import Format
from .stats_common import (
    COUNTRY_NAMES,
    NO_CLASS,
    Measure,
    claimed_files,
    data_columns,
    date_of,
    observations,
    slug,
    stats_batch,
)

NAME = "indeed"
FOLDER = "indeed_hiring_lab"
INDEX = "indeed_job_postings_index"
INDEX_UNIT = "index (2020-02-01 = 100)"
VARIABLES = ("total postings", "new postings")
WAGE = ("posted_wage_growth_yoy", "posted_wage_growth_yoy_3moavg")
UK_REGIONS = {  # NUTS-1 codes of the UK's 12 regions
    "North East": "UKC",
    "North West": "UKD",
    "Yorkshire & the Humber": "UKE",
    "East Midlands": "UKF",
    "West Midlands": "UKG",
    "East of England": "UKH",
    "London": "UKI",
    "South East": "UKJ",
    "South West": "UKK",
    "Wales": "UKL",
    "Scotland": "UKM",
    "Northern Ireland": "UKN",
}
SUBDIVISIONS = {s.code: s.name for country in ("US", "CA") for s in pycountry.subdivisions.get(country_code=country)}
Layout = tuple[pl.DataFrame, list[Measure], list[Rule], list[str]]


def _layout(header: set[str]) -> str | None:
    if {"jobcountry", "month", WAGE[0]} <= header:
        return "wage"
    if "date" not in header:
        return None
    if {"jobcountry", "variable", f"{INDEX}_SA", f"{INDEX}_NSA"} <= header:
        return "national"
    if {"jobcountry", "variable", "display_name", INDEX} <= header:
        return "sector"
    if INDEX in header and header & {"region", "cities", "state", "province"}:
        return "regional"
    if "jobcountry" in header and len(_share_columns(header)) == 1:
        return "tracker"
    return None


def _share_columns(header: set[str]) -> list[str]:
    return sorted(c for c in header if "_share_" in c)


def _country(records: pl.DataFrame) -> tuple[pl.DataFrame, list[Rule]]:
    code = pl.col("jobcountry").str.strip_chars().str.to_uppercase()
    records = records.with_columns(
        geo_code=code,
        geo_level=pl.when(code == "EA").then(pl.lit("country_group")).otherwise(pl.lit("country")),
        geo_label=code.replace_strict(COUNTRY_NAMES, default=None, return_dtype=pl.String),
    )
    return records, [required("geo_code"), one_of("geo_code", sorted(COUNTRY_NAMES), "country code")]


def _region(records: pl.DataFrame) -> tuple[pl.DataFrame, list[Rule]]:
    column = next(c for c in ("region", "cities", "state", "province") if c in records.columns)
    name = pl.col(column).str.strip_chars()
    if column == "region":
        code, level = name.replace_strict(UK_REGIONS, default=name), "uk_region"
        known = sorted(UK_REGIONS.values())
    elif column == "cities":
        code, level, known = pl.lit("GB:") + slug(name), "city", []
    else:
        country = "US" if column == "state" else "CA"
        code = pl.lit(f"{country}-") + name.str.to_uppercase()
        level, known = f"{country.lower()}_{column}", sorted(c for c in SUBDIVISIONS if c.startswith(country))
    label = name if column in ("region", "cities") else code.replace_strict(SUBDIVISIONS, default=None)
    records = records.with_columns(geo_code=code, geo_level=pl.lit(level), geo_label=label)
    rules = [required("geo_code")]
    if known:
        rules.append(one_of("geo_code", known, f"{level.replace('_', ' ')} code"))
    return records, rules


def _sector(records: pl.DataFrame, rules: list[Rule], key: list[str]) -> pl.DataFrame:
    """Class from the occupational sector column if there is one (adding its rule and key), else TOTAL."""
    column = next((c for c in ("display_name", "sector") if c in records.columns), None)
    if column is None:
        return records.with_columns(**NO_CLASS)
    rules.append(required("class_code"))
    key.append("class_code")
    return records.with_columns(class_code=pl.col(column).str.strip_chars(), class_scheme=pl.lit("indeed_sector"))


def _index(variable: pl.Expr, adjustment: str) -> dict[str, pl.Expr]:
    return {"indicator": slug(variable) + f"_index_{adjustment}", "unit": pl.lit(INDEX_UNIT)}


def _daily(raw: pl.DataFrame, layout: str) -> Layout:
    records, rules = (_region if layout == "regional" else _country)(raw)
    records = records.with_columns(period=date_of(pl.col("date"), "%Y-%m-%d"), freq=pl.lit("D"))
    rules += [parses("period", pl.col("date"), "an ISO date (YYYY-MM-DD)"), required("period")]
    key = ["geo_code", "period"]
    if layout in ("national", "sector"):
        rules.append(one_of("variable", VARIABLES, "postings variable"))
        key.append("variable")
    records = _sector(records, rules, key)
    if layout == "national":
        measures = [Measure(f"{INDEX}_{adj.upper()}", _index(pl.col("variable"), adj)) for adj in ("sa", "nsa")]
    elif layout == "sector":
        measures = [Measure(INDEX, _index(pl.col("variable"), "sa"))]
    elif layout == "regional":
        measures = [Measure(INDEX, _index(pl.lit("total postings"), "sa"))]
    else:
        (share,) = _share_columns(set(raw.columns))
        measures = [Measure(share, {"indicator": pl.lit(share.lower()), "unit": pl.lit("percent")})]
    return records, measures, rules, key


def _wage(raw: pl.DataFrame) -> Layout:
    records, rules = _country(raw)
    records = records.with_columns(period=date_of(pl.lit("01-") + pl.col("month"), "%d-%b-%y"), freq=pl.lit("M"))
    rules += [parses("period", pl.col("month"), "a month like Jan-19"), required("period")]
    key = ["geo_code", "period"]
    records = _sector(records, rules, key)
    unit = pl.lit("yoy change (fraction)")
    measures = [Measure(c, {"indicator": pl.lit(c), "unit": unit}) for c in WAGE if c in raw.columns]
    return records, measures, rules, key


def read(path: Path) -> Batch:
    raw = read_csv_strings(path)
    layout = _layout(set(raw.columns))
    if layout is None:
        raise InputError(
            path,
            "not an Indeed Hiring Lab layout (national, sector, regional, tracker or wage "
            f"tracker columns); found {', '.join(data_columns(raw))}",
        )
    records, measures, rules, key = _wage(raw) if layout == "wage" else _daily(raw, layout)
    records = records.with_columns(source=pl.lit(NAME), dataset=pl.lit(path.name.split(".")[0]))
    staged = observations(
        records, measures, rules=rules, raw_columns=data_columns(raw), key=key, nonnegative=layout != "wage"
    )
    return stats_batch(NAME, path, staged)


def claims(path: Path) -> bool:
    return path.name.endswith((".csv", ".csv.gz")) and _layout(csv_header(path)) is not None


def find(stats: Path) -> list[Path]:
    return claimed_files(stats / FOLDER, claims)


FORMATS = [
    Format(
        NAME,
        "stats",
        "Indeed Hiring Lab postings indices, AI and remote trackers, wage tracker (CSV)",
        find,
        claims,
        read,
    )
]
