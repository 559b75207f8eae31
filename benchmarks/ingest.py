"""Ingest throughput: `moocast ingest postings` (validation and dedup included) against a bare DuckDB
`read_csv` of the same generated file, in the same run. Prints postings/s, the ratio and peak memory.

Each measure runs in a child process of its own; peak memory is that process's own peak RSS (VmHWM, read by
the process itself: benchmarks/measure.py), interpreter and imports included. `--file` reuses a generated
file (written by `--keep`) instead of generating one.

    python benchmarks/ingest.py [--rows 1000000] [--file CSV] [--keep CSV] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb
from measure import measured_run

from pipelines.synthetic import write_generated_postings

ROOT = Path(__file__).resolve().parents[1]
BARE_READ = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
start = time.perf_counter()
con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, all_varchar=true)", [sys.argv[1]])
print(time.perf_counter() - start)
"""


def bare_read_measure(path: Path, folder: Path) -> dict[str, Any]:
    """A bare DuckDB read of the whole file into a table: seconds of the statement alone, and peak MB."""
    script = folder / "bare_read.py"
    script.write_text(BARE_READ, encoding="utf-8")
    run = measured_run(str(script), [str(path), str(folder / "bare.duckdb")])
    return {"seconds": float(run["stdout"].strip()), "peak_mb": run["peak_mb"]}


def ingest_measure(path: Path, folder: Path) -> dict[str, Any]:
    """`moocast ingest postings` on a fresh warehouse: wall seconds of the command (start-up included), peak MB."""
    run = measured_run(
        "pipelines.cli",
        ["--warehouse", str(folder / "w.duckdb"), "ingest", "postings", str(path), "--format", "generic_csv", "--json"],
        cwd=ROOT,
    )
    runs = json.loads(run["stdout"])["runs"]
    return {
        "seconds": run["seconds"],
        "peak_mb": run["peak_mb"],
        "rows_read": sum(r["rows_read"] for r in runs),
        "rows_loaded": sum(r["rows_loaded"] for r in runs),
    }


def figures(path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as name:
        bare = bare_read_measure(path, Path(name))
    with tempfile.TemporaryDirectory() as name:
        ingest = ingest_measure(path, Path(name))
    rows = ingest["rows_read"]
    return {
        "rows": rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "rows_loaded": ingest["rows_loaded"],
        "bare_read_rows_per_s": round(rows / bare["seconds"]),
        "ingest_rows_per_s": round(rows / ingest["seconds"]),
        "ratio_vs_bare_read": round(bare["seconds"] / ingest["seconds"], 3),
        "ingest_peak_mb": round(ingest["peak_mb"]),
        "bare_read_peak_mb": round(bare["peak_mb"]),
        "peak_memory": "peak RSS (VmHWM) of the measured process",
        "duckdb": duckdb.__version__,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="generated postings (default 1000000)")
    parser.add_argument("--file", type=Path, help="a file generated before (--keep): measure it, generate nothing")
    parser.add_argument("--keep", type=Path, help="also keep the generated file at this path")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.file or write_generated_postings(Path(folder) / "postings.csv", args.rows, seed=7)
        if args.keep and not args.file:
            shutil.copyfile(path, args.keep)
        result = figures(path)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
