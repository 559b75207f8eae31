"""Frequencies of the long series format: period steps, season lengths and default horizons."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Frequency:
    code: str  # D | W | M | Q | A
    step: str  # polars duration of one period
    season: int  # periods in one seasonal cycle (1 = none)
    horizon: int  # default forecast horizon in periods


FREQUENCIES = {
    "D": Frequency("D", "1d", 7, 28),
    "W": Frequency("W", "1w", 52, 13),
    "M": Frequency("M", "1mo", 12, 12),
    "Q": Frequency("Q", "3mo", 4, 4),
    "A": Frequency("A", "1y", 1, 2),
}

# Days between consecutive dates of each frequency (lowest, highest)
GAP_DAYS = (("D", 1, 1), ("W", 7, 7), ("M", 28, 31), ("Q", 89, 92), ("A", 365, 366))
PERIOD_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "A": "year"}


def frequency_named(code: str) -> Frequency:
    if code not in FREQUENCIES:
        raise ValueError(f"unknown frequency {code!r}: use one of {', '.join(FREQUENCIES)}")
    return FREQUENCIES[code]


def inferred_frequency(ds: pl.Series) -> Frequency:
    """The frequency of regular dates, from the most common gap between consecutive distinct dates."""
    days = ds.unique().sort().diff().dt.total_days().drop_nulls()
    if days.is_empty():
        raise ValueError("cannot infer a frequency from fewer than two distinct dates: give --freq")
    gap = int(days.mode().min())  # type: ignore[arg-type]
    for code, low, high in GAP_DAYS:
        if low <= gap <= high:
            return FREQUENCIES[code]
    raise ValueError(f"dates are {gap} days apart, which is no supported frequency (D, W, M, Q, A): give --freq")


def series_frequencies(series: pl.DataFrame) -> pl.DataFrame:
    """series_id, code: each series' own frequency, from its most common gap between dates (null for a gap of no
    supported frequency; a series of one date has no row)."""
    gaps = series.sort("series_id", "ds").select("series_id", gap=pl.col("ds").diff().dt.total_days().over("series_id"))
    modal = gaps.drop_nulls("gap").group_by("series_id").agg(pl.col("gap").mode().min())
    code = pl.lit(None, dtype=pl.String)
    for name, low, high in reversed(GAP_DAYS):
        code = pl.when(pl.col("gap").is_between(low, high)).then(pl.lit(name)).otherwise(code)
    return modal.select("series_id", code=code).sort("series_id")


def future_frame(train: pl.DataFrame, freq: Frequency, h: int) -> pl.DataFrame:
    """series_id, step (1..h), ds: the h periods after each series' last date in `train`."""
    number = int(freq.step.rstrip("dwmoy"))
    unit = freq.step.lstrip("0123456789")
    last = train.group_by("series_id").agg(pl.col("ds").max().alias("last"))
    steps = pl.DataFrame({"step": list(range(1, h + 1))}, schema={"step": pl.Int32})
    return (
        last.join(steps, how="cross")
        .with_columns(ds=pl.col("last").dt.offset_by(pl.format("{}" + unit, pl.col("step") * number)))
        .select("series_id", "step", "ds")
        .sort("series_id", "step")
    )


def first_missing_periods(series: pl.DataFrame, freq: Frequency) -> pl.DataFrame:
    """series_id, ds: for each series with a hole, the first period between its first and last date that has no
    row (a date off the series' period grid, such as the 15th among monthly dates on the 1st, leaves one)."""
    spans = series.group_by("series_id").agg(pl.col("ds").min().alias("first"), pl.col("ds").max().alias("last"))
    grid = spans.select("series_id", ds=pl.date_ranges("first", "last", interval=freq.step)).explode("ds")
    return (
        grid.join(series.select("series_id", "ds"), on=["series_id", "ds"], how="anti")
        .group_by("series_id")
        .agg(pl.col("ds").min())
        .sort("series_id")
    )


def off_grid_dates(series: pl.DataFrame, freq: Frequency) -> pl.DataFrame:
    """The rows of `series` whose date is off their series' period grid: a weekly date on another weekday than
    the series' most common one, a quarterly or annual one in another month of its period than most, a monthly,
    quarterly or annual one on another day of the month than the series' anchor day (the 15th among dates on the
    1st). The anchor is the day that the most dates fall on, a month's last day standing for a later anchor the
    month lacks (29 February among dates on the 30th; dates on month ends have the anchor 31)."""
    if freq.code == "D":
        return series.clear()
    ds = pl.col("ds")
    keyed = series.with_columns(
        _month=(ds.dt.month() - 1) % {"W": 1, "M": 1, "Q": 3, "A": 12}[freq.code],
        _weekday=ds.dt.weekday() if freq.code == "W" else pl.lit(0),
    )
    on_grid = (pl.col("_month") == pl.col("_month").mode().min().over("series_id")) & (
        pl.col("_weekday") == pl.col("_weekday").mode().min().over("series_id")
    )
    on_anchor = ds.dt.day() == pl.min_horizontal("_anchor", ds.dt.month_end().dt.day())
    if freq.code != "W":
        candidates = keyed.select("series_id", _anchor=ds.dt.day()).unique()
        anchors = (
            keyed.join(candidates, on="series_id")
            .group_by("series_id", "_anchor")
            .agg(on_anchor.sum().alias("_dates"))
            .sort("_dates", "_anchor", descending=True)
            .group_by("series_id", maintain_order=True)
            .first()
        )
        keyed, on_grid = keyed.join(anchors.select("series_id", "_anchor"), on="series_id"), on_grid & on_anchor
    return keyed.filter(~on_grid).select(series.columns).sort("series_id", "ds")


def aggregated(frame: pl.DataFrame, freq: Frequency, how: str) -> pl.DataFrame:
    """series_id, ds, y into periods of `freq` (ds = period start), e.g. daily data to weeks or months:
    `how` is "sum" for flows (postings, counts) and "mean" for levels (indices, stocks, shares)."""
    if how not in ("sum", "mean"):
        raise ValueError(f"aggregation must be sum or mean, not {how!r}")
    every = {"D": "1d", "W": "1w", "M": "1mo", "Q": "1q", "A": "1y"}[freq.code]
    value = pl.col("y").sum() if how == "sum" else pl.col("y").mean()
    return (
        frame.with_columns(pl.col("ds").dt.truncate(every))
        .group_by("series_id", "ds")
        .agg(value)
        .sort("series_id", "ds")
    )
