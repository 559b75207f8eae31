"""Tables written where the user asks (`--output`, generated inputs): CSV, Parquet, JSON or JSON lines by the
path's suffix."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

OUTPUT_SUFFIXES = (".csv", ".parquet", ".json", ".jsonl")


def output_checked(path: Path, source: Path | None = None) -> Path:
    """`path` if a table can be written to it (by its suffix, and it is not the `source` file read), else ValueError
    saying why; for checking before the work that makes the table."""
    if source is not None and path.resolve() == source.resolve():
        raise ValueError(f"{path} is the file read ({source}): give another path to write to")
    if path.suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"{path}: cannot write a table as {path.suffix or 'a file without a suffix'!r}; give a path "
                         f"ending in {', '.join(OUTPUT_SUFFIXES)}")  # fmt: skip
    return path


def written_rows(rows: pl.DataFrame, path: Path) -> Path:
    """`rows` written to `path` as CSV, Parquet, JSON (a list of objects, dates as YYYY-MM-DD) or JSON lines by its
    suffix."""
    output_checked(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        rows.write_csv(path)
    elif path.suffix == ".parquet":
        rows.write_parquet(path)
    elif path.suffix == ".jsonl":
        rows.write_ndjson(path)
    else:
        path.write_text(json.dumps(rows.to_dicts(), indent=1, default=str), encoding="utf-8")
    return path
