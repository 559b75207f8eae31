"""The skill-demand panel in the one long series format (pure polars).

Every route produces a *demand frame*: the attribute columns of `ATTRIBUTES` (one value per series) plus `ds`
and `y`. `long_series` splits demand frames into the series table (`series_id, ds, y`) and the static table of
series attributes. A series id reads source|region|sector|occupation|skill-or-group key.
"""

from __future__ import annotations

import polars as pl

ALL = "ALL"


# Sums on the way to the panel's values are exact: each term a multiple of 2^-60 (rounding only terms below 2^-7,
# by at most 2^-61), added as 128-bit integers (exact for sums below 1e20) and rounded once to a float.
EXACT_SCALE = 2.0**60


def exact_sum(values: pl.Expr) -> pl.Expr:
    """The sum of `values`, exact and rounded once, so the same to the last bit in any row order. Polars' joins and
    group-bys keep none, and float sums depend on it: two builds of the same panel differed in the 15th digit of
    half their values, enough to move LightGBM's splits and a backtest's MASE by 1%."""
    return (values * EXACT_SCALE).round().cast(pl.Int128).sum().cast(pl.Float64) / EXACT_SCALE


def exact_mean(values: pl.Expr) -> pl.Expr:
    """The mean of `values` from their exact sum (see `exact_sum`)."""
    return exact_sum(values) / values.count()


ATTRIBUTES = [
    "freq",
    "region",
    "region_level",
    "sector",
    "sector_scheme",
    "occupation",
    "skill",
    "skill_group",
    "hierarchy_level",
    "source",
    "route",
    "unit",
]
# Postings that a reconciled skill mix is worth: the ESCO occupation profiles count as this many postings, so
# a handful of postings moves the official mix only a little and thousands replace it.
PRIOR_POSTINGS = 50.0


def _key(column: str) -> pl.Expr:
    """The last path segment of a URI (or the value itself), 'ALL' kept."""
    return pl.col(column).str.split("/").list.last()


def series_id() -> pl.Expr:
    """A series' id from its attribute columns: source|region|sector|occupation|skill-or-group key."""
    key = pl.when(pl.col("skill") != ALL).then(_key("skill")).otherwise(_key("skill_group"))
    return pl.concat_str([pl.col("source"), pl.col("region"), pl.col("sector"), pl.col("occupation"), key],
                         separator="|")  # fmt: skip


def long_series(demand: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(series: series_id, ds, y) and (attributes: series_id + ATTRIBUTES) from a demand frame."""
    with_id = demand.with_columns(series_id=series_id())
    attributes = with_id.select("series_id", *ATTRIBUTES).unique(maintain_order=True)
    clashes = attributes.filter(pl.col("series_id").is_duplicated())
    if not clashes.is_empty():
        raise ValueError(f"series with one id but different attributes: {clashes['series_id'].unique().to_list()}")
    series = with_id.group_by("series_id", "ds").agg(exact_sum(pl.col("y"))).sort("series_id", "ds")
    return series, attributes.sort("series_id")


def with_attributes(frame: pl.DataFrame, **constants: str) -> pl.DataFrame:
    """`frame` with constant attribute columns added; attributes it lacks and no constant gives become 'ALL'."""
    given = {name: pl.lit(value) for name, value in constants.items()}
    missing = {name: pl.lit(ALL) for name in ATTRIBUTES if name not in frame.columns and name not in constants}
    return frame.with_columns(**given, **missing).select(*ATTRIBUTES, "ds", pl.col("y").cast(pl.Float64))


def posting_counts(postings: pl.DataFrame, links: pl.DataFrame, key: str) -> pl.DataFrame:
    """Postings demanding each `key` (skill_group or skill): distinct postings linked to it, by region, sector
    and month, zero-filled over the months the postings of that region span.

    postings: posting_key, region, region_level, sector, sector_scheme, ds (month start);
    links: posting_key, `key`. Returns the attribute columns it knows plus ds, y."""
    keys = ["region", "region_level", "sector", "sector_scheme", key]
    counts = (
        postings.lazy()
        .join(links.lazy().unique(), on="posting_key")
        .group_by(*keys, "ds")
        .agg(pl.col("posting_key").n_unique().alias("y"))
        .collect()
    )
    return zero_filled(counts, postings, keys)


def zero_filled(counts: pl.DataFrame, postings: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Counts with a 0 for every month a series' region has postings in its span but none for that series."""
    spans = postings.group_by("region").agg(pl.col("ds").min().alias("first"), pl.col("ds").max().alias("last"))
    months = (
        spans.with_columns(ds=pl.date_ranges(pl.col("first"), pl.col("last"), interval="1mo"))
        .explode("ds")
        .select("region", "ds")
    )
    grid = counts.select(keys).unique().join(months, on="region")
    return (
        grid.join(counts, on=[*keys, "ds"], how="left")
        .with_columns(pl.col("y").fill_null(0).cast(pl.Float64))
        .sort(*keys, "ds")
    )


def posting_group_mix(postings: pl.DataFrame, posting_groups: pl.DataFrame) -> pl.DataFrame:
    """Each posting's weight 1 spread equally over the skill groups it demands, summed by region and period.

    postings: posting_key, region, ds; posting_groups: posting_key, skill_group.
    Returns region, skill_group, ds, weight (weights of a region and period sum to its postings with skills)."""
    return (
        postings.join(posting_groups.unique(), on="posting_key")
        .with_columns(weight=1.0 / pl.len().over("posting_key"))
        .group_by("region", "skill_group", "ds")
        .agg(exact_sum(pl.col("weight")))
        .sort("region", "skill_group", "ds")
    )


def reconciled_demand(official: pl.DataFrame, mix: pl.DataFrame, prior: float = PRIOR_POSTINGS) -> pl.DataFrame:
    """Official volume with the skill mix of postings where both exist for a region and period.

    official: region, skill_group, ds, y (the official route's demand by group: its total is the volume and its
    shares the ESCO-profile mix); mix: region, skill_group, ds, weight (from `posting_group_mix`).
    y = volume x (weight_g + prior x profile_share_g) / (postings + prior): the mix moves from the profiles
    towards the postings as postings accumulate, and groups still add up to the official volume.
    Returns region, skill_group, ds, y, postings for the region-periods present in both."""
    volume = official.group_by("region", "ds").agg(exact_sum(pl.col("y")).alias("volume"))
    seen = mix.group_by("region", "ds").agg(exact_sum(pl.col("weight")).alias("postings"))
    both = volume.join(seen, on=["region", "ds"])
    groups = pl.concat([official.select("region", "skill_group", "ds"), mix.select("region", "skill_group", "ds")])
    return (
        groups.unique()
        .join(both, on=["region", "ds"])
        .join(official, on=["region", "skill_group", "ds"], how="left")
        .join(mix, on=["region", "skill_group", "ds"], how="left")
        .with_columns(pl.col("y").fill_null(0.0), pl.col("weight").fill_null(0.0))
        .with_columns(
            y=pl.col("volume")
            * (pl.col("weight") + prior * pl.col("y") / pl.col("volume"))
            / (pl.col("postings") + prior)
        )
        .select("region", "skill_group", "ds", "y", "postings")
        .sort("region", "skill_group", "ds")
    )


def monthly_means(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Daily observations (keys, ds, value) averaged per calendar month (ds = month start)."""
    return (
        frame.with_columns(pl.col("ds").dt.truncate("1mo"))
        .group_by(*keys, "ds")
        .agg(exact_mean(pl.col("value")))
        .sort(*keys, "ds")
    )
