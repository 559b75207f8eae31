"""Ingest throughput: `moocast ingest postings` (validation and dedup included) against a bare DuckDB
`read_csv` of the same generated file, in the same run. Prints postings/s, the ratio and peak memory.

    python benchmarks/ingest.py [--rows 1000000] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.synthetic import write_generated_postings


def _child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def bare_read_seconds(path: Path) -> float:
    """A bare DuckDB read of the whole file into a table, in a child process (so its memory is apart)."""
    code = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[2]); "
        "con.execute('SET enable_progress_bar = false'); t = time.perf_counter(); "
        "con.execute('CREATE TABLE raw AS SELECT * FROM read_csv(?, all_varchar=true)', [sys.argv[1]]); "
        "print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, "-c", code, str(path), str(Path(folder) / "bare.duckdb")],
                             check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def moocast_ingest_seconds(path: Path) -> tuple[float, float]:
    """(seconds, peak MB) of `moocast ingest postings` in a child process, on a fresh warehouse."""
    with tempfile.TemporaryDirectory() as folder:
        before = _child_peak_mb()
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipelines.cli", "--warehouse", str(Path(folder) / "w.duckdb"),
                        "ingest", "postings", str(path), "--format", "generic_csv", "--json"],
                       check=True, capture_output=True)
        seconds = time.perf_counter() - start
    return seconds, max(_child_peak_mb(), before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = write_generated_postings(Path(folder) / "postings.csv", args.rows, seed=7)
        size_mb = path.stat().st_size / 1e6
        bare = bare_read_seconds(path)
        ingest, peak_mb = moocast_ingest_seconds(path)
    figures = {
        "rows": args.rows, "file_mb": round(size_mb, 1),
        "bare_read_rows_per_s": round(args.rows / bare), "ingest_rows_per_s": round(args.rows / ingest),
        "ratio_vs_bare_read": round(bare / ingest, 3), "ingest_peak_mb": round(peak_mb),
        "duckdb": duckdb.__version__,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
