"""Panel build throughput on a large generated input, beside DuckDB SQL computing the same numbers.

Two routes, each timed in the same run against one DuckDB query over the same frames:
- official: vacancies by region x occupation group x year spread over skill groups by each group's mix
  (`distributed_demand`, then `long_series`), as `moocast panel` does with the BA statistics;
- postings: distinct postings demanding each skill group by region x month, zero-filled
  (`posting_group_counts`, then `long_series`).
Both sides produce the same series table (series_id, ds, y) as a polars frame. Prints input rows/s
for moocast's transforms and for the SQL baseline, their ratio, and peak memory (RSS).

    python benchmarks/panel.py [--regions 2000] [--postings 1000000] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb
import numpy as np
import polars as pl

from features.official_demand import distributed_demand
from features.panel import long_series, posting_counts, with_attributes

CLASSES, GROUPS, YEARS = 144, 27, 14
SKILL_GROUPS_PER_POSTING = 4


def official_inputs(regions: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """BA-like counts (region, class_code, ds, value; a third of them zero) and a dense class x group mix."""
    grid = (
        pl.DataFrame({"region": [f"{r:05d}" for r in range(regions)]})
        .join(pl.DataFrame({"class_code": [f"{k:03d}" for k in range(CLASSES)]}), how="cross")
        .join(pl.DataFrame({"ds": [date(2012 + y, 1, 1) for y in range(YEARS)]}), how="cross")
    )
    values = rng.poisson(3, grid.height) * (rng.random(grid.height) > 0.33)
    shares = rng.dirichlet(np.ones(GROUPS), CLASSES).ravel()
    mix = pl.DataFrame(
        {
            "class_code": np.repeat([f"{k:03d}" for k in range(CLASSES)], GROUPS),
            "group_uri": [f"G{g}" for g in range(GROUPS)] * CLASSES,
            "share": shares,
        }
    )
    return grid.with_columns(value=pl.Series(values, dtype=pl.Float64)), mix


def posting_inputs(n: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """n postings over 30 regions and 24 months, each demanding a few skill groups."""
    months = [date(2023 + m // 12, m % 12 + 1, 1) for m in range(24)]
    postings = pl.DataFrame(
        {
            "posting_key": [f"p{i}" for i in range(n)],
            "region": [f"R{r}" for r in rng.integers(0, 30, n)],
            "region_level": "nuts2",
            "sector": [chr(65 + s) for s in rng.integers(0, 21, n)],
            "sector_scheme": "nace",
            "ds": [months[m] for m in rng.integers(0, 24, n)],
        }
    )
    groups = pl.DataFrame(
        {
            "posting_key": np.repeat(postings["posting_key"].to_numpy(), SKILL_GROUPS_PER_POSTING),
            "skill_group": [f"G{g}" for g in rng.integers(0, GROUPS, n * SKILL_GROUPS_PER_POSTING)],
        }
    )
    return postings, groups


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def official_moocast(counts: pl.DataFrame, mix: pl.DataFrame) -> int:
    demand = distributed_demand(counts, mix, "group_uri").rename({"group_uri": "skill_group"})
    series, _ = long_series(
        with_attributes(demand, freq="A", region_level="district", sector_scheme="none",
                        hierarchy_level="skill_group", source="ba", route="bench", unit="vacancies")
    )  # fmt: skip
    return series.height


def official_sql(con: duckdb.DuckDBPyConnection) -> int:
    series = con.sql(
        "SELECT concat_ws('|', 'ba', c.region, 'ALL', 'ALL', m.group_uri) AS series_id, c.ds, "
        "sum(c.value * m.share) AS y FROM counts c JOIN mix m USING (class_code) WHERE c.value > 0 GROUP BY ALL "
        "ORDER BY series_id, ds"
    ).pl()
    return series.height


def postings_moocast(postings: pl.DataFrame, groups: pl.DataFrame) -> int:
    counts = posting_counts(postings, groups, "skill_group")
    series, _ = long_series(
        with_attributes(counts, freq="M", hierarchy_level="skill_group", source="postings", route="bench",
                        unit="postings")
    )  # fmt: skip
    return series.height


def postings_sql(con: duckdb.DuckDBPyConnection) -> int:
    series = con.sql(
        "WITH c AS (SELECT p.region, p.sector, g.skill_group, p.ds, count(DISTINCT p.posting_key) AS y "
        "FROM postings p JOIN (SELECT DISTINCT * FROM groups) g USING (posting_key) GROUP BY ALL), "
        "months AS (SELECT region, unnest(generate_series(min(ds), max(ds), INTERVAL 1 MONTH)) AS ds "
        "FROM postings GROUP BY region), "
        "grid AS (SELECT k.*, m.ds FROM (SELECT DISTINCT region, sector, skill_group FROM c) k JOIN months m "
        "USING (region)) SELECT concat_ws('|', 'postings', region, sector, 'ALL', skill_group) AS series_id, ds, "
        "coalesce(y, 0)::DOUBLE AS y FROM grid LEFT JOIN c USING (region, sector, skill_group, ds) "
        "ORDER BY series_id, ds"
    ).pl()
    return series.height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regions", type=int, default=2000, help="regions of the official route (BA has 401)")
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    counts, mix = official_inputs(args.regions, rng)
    postings, groups = posting_inputs(args.postings, rng)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for name, frame in (("counts", counts), ("mix", mix), ("postings", postings), ("groups", groups)):
        con.register(name, frame.to_arrow())
    official_s, official_n = timed(lambda: official_moocast(counts, mix))
    official_sql_s, official_sql_n = timed(lambda: official_sql(con))
    postings_s, postings_n = timed(lambda: postings_moocast(postings, groups))
    postings_sql_s, postings_sql_n = timed(lambda: postings_sql(con))
    if (official_n, postings_n) != (official_sql_n, postings_sql_n):
        raise SystemExit(
            f"moocast and SQL disagree: {official_n} vs {official_sql_n}, {postings_n} vs {postings_sql_n}"
        )
    figures = {
        "official_input_rows": counts.height,
        "official_rows_per_s": round(counts.height / official_s),
        "official_sql_rows_per_s": round(counts.height / official_sql_s),
        "official_ratio_vs_sql": round(official_sql_s / official_s, 3),
        "postings": postings.height,
        "postings_rows_per_s": round(postings.height / postings_s),
        "postings_sql_rows_per_s": round(postings.height / postings_sql_s),
        "postings_ratio_vs_sql": round(postings_sql_s / postings_s, 3),
        "series_rows_out": official_n + postings_n,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
