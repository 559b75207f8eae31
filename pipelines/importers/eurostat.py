"""Eurostat datasets (formats `eurostat_tsv` and `eurostat_sdmx`), e.g. jvs_q_nace2 (job vacancies) or
une_rt_m (unemployment), found under stats/eurostat/; one source per file, plain or gzipped.

- eurostat_tsv, the bulk TSV: the first column holds the comma-joined dimension codes and its header names
  them (`freq,unit,nace_r2,geo\\TIME_PERIOD`, or `…\\time` in older files); then one column per period
  (`2023`, `2023Q1`/`2023-Q1`, `2023-01`/`2023M01`, `2023-01-15`; any other header is an InputError), which
  gives each cell its period and freq (the freq dimension is not used). Cells hold a value and optional
  flags (`12.3 p`); flags are dropped. A line is one record, its cells its observations.
- eurostat_sdmx, SDMX-CSV: DATAFLOW (e.g. `ESTAT:JVS_Q_NACE2(1.0)`, giving the dataset), LAST UPDATE, the
  dimensions (freq, unit, nace_r2 or isco08, geo, …), TIME_PERIOD, OBS_VALUE, OBS_FLAG (not loaded). A
  freq dimension must be A, Q, M or D and match the form of TIME_PERIOD.
Mapping: geo → geo_code, with geo_level by the code's length: 2 country, 3 nuts1, 4 nuts2, 5 nuts3,
anything else (EU27_2020, EA20) country_group; country codes are ISO 3166-1 (Eurostat's EL and UK become
GR and GB, as in the other sources; NUTS codes keep their EL/UK prefix). nace_r2 → class_scheme nace,
isco08 → isco08, neither → TOTAL/total. unit → unit (`unspecified` without one). The other dimensions but
freq, joined by dots, form the indicator (e.g. `SA.TOTAL.T` for une_rt_m; the dataset name if none).
Not available (`:`, `: c`, an empty OBS_VALUE) is no observation; a record with no value at all is
quarantined as "value not available" (see stats_common). Values must not be negative unless the unit is a
change (PCH…, CH_…, DIFF…, PD…).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from pipelines.ingest import Batch
from pipelines.readers import InputError, check_columns, csv_header, read_csv_strings
from pipelines.validation import Rule, matches, one_of, parses, required

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

FOLDER = "eurostat"
CLASSES = {"nace_r2": "nace", "isco08": "isco08"}
GEO_LEVELS = {2: "country", 3: "nuts1", 4: "nuts2", 5: "nuts3"}
SDMX_META = {
    "DATAFLOW",
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "LAST UPDATE",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_FLAG",
    "OBS_STATUS",
    "CONF_STATUS",
}
SIGNED_UNITS = r"^(PCH|CH_|DIFF|PD)"
FREQUENCIES = ("A", "Q", "M", "D")
GEO_CODE = r"^[A-Z]{2}[A-Z0-9]{0,3}(?:_[0-9]{4})?$"


def period_of(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(first day, freq) of a Eurostat period: 2023 (A), 2023Q1 or 2023-Q1 (Q), 2023-01 or 2023M01 (M),
    2023-01-15 (D); null for anything else."""
    t = text.str.strip_chars()
    year = t.str.slice(0, 4).cast(pl.Int32, strict=False)
    last = t.str.extract(r"(\d{1,2})$").cast(pl.Int32, strict=False)
    is_q, is_m = t.str.contains(r"^\d{4}-?Q[1-4]$"), t.str.contains(r"^\d{4}-?M?(0[1-9]|1[0-2])$")
    day = t.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    date = (
        pl.when(t.str.contains(r"^\d{4}$"))
        .then(pl.date(year, 1, 1))
        .when(is_q)
        .then(pl.date(year, last * 3 - 2, 1))
        .when(is_m)
        .then(pl.date(year, last, 1))
        .otherwise(day)
    )
    freq = (
        pl.when(t.str.contains(r"^\d{4}$"))
        .then(pl.lit("A"))
        .when(is_q)
        .then(pl.lit("Q"))
        .when(is_m)
        .then(pl.lit("M"))
        .when(day.is_not_null())
        .then(pl.lit("D"))
    )
    return date, freq


def _dataset(path: Path) -> str:
    return path.name.split(".")[0].lower().removeprefix("estat_")


def _described(records: pl.DataFrame, dims: list[str], dataset: pl.Expr) -> tuple[pl.DataFrame, list[Rule]]:
    """Set every labour_stats column the dimensions give (all but period, freq and value)."""
    geo = pl.col("geo").str.strip_chars().str.to_uppercase()
    level = geo.str.len_chars().replace_strict(GEO_LEVELS, default="country_group", return_dtype=pl.String)
    code = pl.when(level == "country").then(geo.replace({"EL": "GR", "UK": "GB"})).otherwise(geo)
    class_dim = next((d for d in CLASSES if d in dims), None)
    rest = [d for d in dims if d not in ("geo", "freq", "unit", class_dim)]
    records = records.with_columns(
        source=pl.lit("eurostat"),
        dataset=dataset,
        indicator=pl.concat_str([pl.col(d).str.strip_chars() for d in rest], separator=".") if rest else dataset,
        geo_code=code,
        geo_level=level,
        geo_label=pl.when(level == "country").then(
            code.replace_strict(COUNTRY_NAMES, default=None, return_dtype=pl.String)
        ),
        unit=pl.col("unit").str.strip_chars() if "unit" in dims else pl.lit("unspecified"),
        **(
            {"class_code": pl.col(class_dim).str.strip_chars(), "class_scheme": pl.lit(CLASSES[class_dim])}
            if class_dim
            else NO_CLASS
        ),
    )
    rules = [
        required("geo_code"),
        matches("geo_code", GEO_CODE, "a Eurostat geo code"),
        required("indicator"),
        required("class_code"),
        required("unit"),
    ]
    return records, rules


def _never_negative() -> pl.Expr:
    """True for records whose unit is not a change (PCH…, CH_…, DIFF…, PD…): their values cannot be negative."""
    return ~pl.col("unit").str.contains(SIGNED_UNITS)


def read_tsv(path: Path) -> Batch:
    raw = read_csv_strings(path, separator="\t")
    raw = raw.rename({c: c.strip() for c in raw.columns})
    first, periods = data_columns(raw)[0], data_columns(raw)[1:]
    if "\\" not in first:
        raise InputError(path, f"not a Eurostat TSV: first column {first!r} is not like 'unit,geo\\TIME_PERIOD'")
    dims = [d.strip() for d in first.split("\\")[0].split(",")]
    check_columns(path, dims, ("geo",))
    date, freq = period_of(pl.col("name"))
    headers = pl.DataFrame({"name": periods}, schema={"name": pl.String}).with_columns(date=date, freq=freq)
    unknown = headers.filter(pl.col("date").is_null())["name"].to_list()
    if unknown or not periods:
        raise InputError(path, f"period column(s) not understood: {', '.join(unknown) or 'none found'}")
    parts = pl.col(first).str.split(",")
    records = raw.with_columns(pl.col(p).str.extract(r"^\s*(\S*)") for p in periods)  # flags dropped
    records = records.with_columns(
        parts.list.get(i, null_on_oob=True).alias(d) for i, d in enumerate(dims) if d != "freq"
    )
    records, rules = _described(records, dims, pl.lit(_dataset(path)))
    rules.insert(0, Rule(first, f"dimension key does not have {len(dims)} codes", parts.list.len() == len(dims), None))
    measures = [Measure(name, {"period": pl.lit(day), "freq": pl.lit(f)}) for name, day, f in headers.iter_rows()]
    staged = observations(
        records, measures, rules=rules, raw_columns=[first, *periods], key=[first], nonnegative=_never_negative()
    )
    return stats_batch("eurostat_tsv", path, staged)


def read_sdmx(path: Path) -> Batch:
    raw = read_csv_strings(path, required=("geo", "TIME_PERIOD", "OBS_VALUE"))
    dims = [c for c in data_columns(raw) if c not in SDMX_META]
    dataset = pl.lit(_dataset(path))
    if "DATAFLOW" in raw.columns:  # ESTAT:JVS_Q_NACE2(1.0)
        dataset = pl.col("DATAFLOW").str.extract(r"([A-Za-z0-9_]+)\(").str.to_lowercase()
    records, rules = _described(raw, dims, dataset)
    date, freq = period_of(pl.col("TIME_PERIOD"))
    records = records.with_columns(period=date, period_freq=freq)
    rules += [
        parses("period", pl.col("TIME_PERIOD"), "a Eurostat period (2023, 2023-Q1, 2023-01)"),
        required("period"),
        required("dataset"),
    ]
    if "freq" in dims:  # kept as published, and checked against the period
        records = records.with_columns(pl.col("freq").str.strip_chars())
        rules += [
            one_of("freq", FREQUENCIES, "frequency"),
            Rule(
                "TIME_PERIOD",
                "period does not match freq",
                pl.col("period_freq").is_null() | (pl.col("period_freq") == pl.col("freq")),
                None,
            ),
        ]
    else:
        records = records.with_columns(freq=pl.col("period_freq"))
    staged = observations(
        records,
        [Measure("OBS_VALUE", {})],
        rules=rules,
        raw_columns=data_columns(raw),
        key=["dataset", *[d for d in dims if d != "freq"], "period"],
        nonnegative=_never_negative(),
    )
    return stats_batch("eurostat_sdmx", path, staged)


def claims_tsv(path: Path) -> bool:
    return path.name.endswith((".tsv", ".tsv.gz")) and any(
        re.search(r"\\(TIME_PERIOD|time)\s*$", c) for c in csv_header(path, separator="\t")
    )


def claims_sdmx(path: Path) -> bool:
    return path.name.endswith((".csv", ".csv.gz")) and {"geo", "TIME_PERIOD", "OBS_VALUE"} <= csv_header(path)


FORMATS = [
    Format(
        "eurostat_tsv",
        "stats",
        "Eurostat bulk TSV (dimension key column, one column per period)",
        lambda stats: claimed_files(stats / FOLDER, claims_tsv),
        claims_tsv,
        read_tsv,
    ),
    Format(
        "eurostat_sdmx",
        "stats",
        "Eurostat SDMX-CSV (one observation per row)",
        lambda stats: claimed_files(stats / FOLDER, claims_sdmx),
        claims_sdmx,
        read_sdmx,
    ),
]
