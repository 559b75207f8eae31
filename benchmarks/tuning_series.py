"""The real series the forecasters were tuned on, none of them a goal series of issue 4, as long-format Parquet
files for `moocast backtest --series` (README, "Forecasting and backtests"):

- `indeed_other.parquet`: Indeed's daily new-postings indices (SA, NSA), total-postings NSA indices, remote and
  AI shares (backtest them with `--freq M --how mean`);
- `ba_other.parquet`: 8,000 BA district x KldB series of unemployed and employees (social insurance), annual,
  a fixed random sample (seed 11).

The third tuning set is in the panel: `moocast backtest --source indeed --level sector --freq M --how mean`.

    python benchmarks/tuning_series.py [--warehouse data/warehouse.duckdb] [--out data/tune]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import polars as pl

INDEED = ("new_postings_index_sa", "new_postings_index_nsa", "total_postings_index_nsa", "remote_share_postings",
          "remote_share_searches", "ai_share_postings")  # fmt: skip
BA = ("unemployed", "employees_social_insurance_total")
BA_SAMPLE, SEED = 8000, 11


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("data/tune"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        indeed = con.sql(
            "SELECT source || '|' || indicator || '|' || geo_code || '|' || class_code AS series_id, period AS ds, "
            "value AS y FROM labour_stats WHERE source = 'indeed' AND freq = 'D' AND list_contains(?, indicator)",
            params=[list(INDEED)],
        ).pl()
        ba = con.sql(
            "SELECT indicator || '|' || geo_code || '|' || class_code AS series_id, period AS ds, value AS y "
            "FROM labour_stats WHERE source = 'ba' AND length(class_code) = 3 AND list_contains(?, indicator)",
            params=[list(BA)],
        ).pl()
    indeed.write_parquet(args.out / "indeed_other.parquet")
    sample = ba.select("series_id").unique().sort("series_id").sample(n=BA_SAMPLE, seed=SEED)["series_id"]
    ba.filter(pl.col("series_id").is_in(sample.implode())).write_parquet(args.out / "ba_other.parquet")
    print(f"{indeed['series_id'].n_unique()} Indeed series, {sample.len()} BA series -> {args.out}")


if __name__ == "__main__":
    main()
