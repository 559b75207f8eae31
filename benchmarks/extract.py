"""Extraction throughput: `moocast extract` (`pipelines.extract.extract_postings`, the command's code path) against
the bare matcher (`features.skills.skill_matches` with the same automaton over the same texts, nothing else).

Generated English postings of about 1 KB (pipelines/synthetic.py) are ingested into a temporary warehouse with
the English ESCO taxonomy, twice: once with `language` = en given, once without it (so every posting goes
through language detection). Each measure runs in its own child process, pinned to `--cores` CPUs; peak
memory is that process's peak RSS (VmHWM), interpreter and imports included. Prints postings/s, the ratio
and peak memory.

The generated descriptions are drawn from 28 sentences, so many postings open alike (1,159 distinct 120-character
openings in 20,000), and language detection reads each distinct sample once. Real ads rarely share their
opening; `--distinct-openings` starts every description with its posting's reference ("Ref. 123.") so that none
does, and detection reads every posting.

    python benchmarks/extract.py [--n 20000] [--cores 1] [--distinct-openings] [--inputs DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl
from measure import own_peak_mb

from features.skills import COMMON_WORD_SHARE, skill_matches
from pipelines.extract import extract_postings, latest_esco_version, literal_extractor
from pipelines.importers import format_named
from pipelines.orchestrate import ingest_sources
from pipelines.synthetic import generated_postings
from pipelines.warehouse import connect

ROOT = Path(__file__).resolve().parents[1]
TEXTS = "SELECT title || chr(10) || coalesce(description, '') FROM postings ORDER BY posting_key"


def pipeline_measure(warehouse: Path) -> dict[str, Any]:
    """Seconds of `extract_postings` on every pending posting (lexicon build, detection and inserts included)."""
    with connect(warehouse) as con:
        start = time.perf_counter()
        counts = extract_postings(con)
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "postings": counts["processed"],
        "skills": counts["skills_found"],
        "peak_mb": own_peak_mb(),
    }


def bare_measure(warehouse: Path) -> dict[str, Any]:
    """Seconds of `skill_matches` alone over the same texts, after building the same English automaton."""
    with connect(warehouse, read_only=True) as con:
        texts = [row[0] for row in con.execute(TEXTS).fetchall()]
        start = time.perf_counter()
        extractor = literal_extractor(con, "en", COMMON_WORD_SHARE, latest_esco_version(con))
        build = time.perf_counter() - start
    start = time.perf_counter()
    skills = sum(len(skill_matches(text, extractor.automaton)) for text in texts)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "postings": len(texts),
        "skills": skills,
        "chars": sum(len(text) for text in texts),
        "build_seconds": build,
        "peak_mb": own_peak_mb(),
    }


def _in_child(measure: str, warehouse: Path, cores: int) -> dict[str, Any]:
    """A measure in a child process of its own (so its peak memory is its own), pinned to `cores` CPUs."""
    command = [sys.executable, __file__, "--measure", measure, "--warehouse", str(warehouse), "--cores", str(cores)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    measured: dict[str, Any] = json.loads(out.stdout)
    return measured


def _esco_english(inputs: Path) -> Path:
    folders = sorted((inputs / "taxonomies").glob("esco_v*_en"))
    if not folders:
        raise SystemExit(f"no English ESCO folder (taxonomies/esco_v*_en) under {inputs}")
    return folders[-1]


def prepared_warehouses(folder: Path, inputs: Path, n: int, distinct_openings: bool = False) -> dict[str, Path]:
    """Warehouses with English ESCO and `n` generated postings: language given (`given`) and absent (`detected`)."""
    base = folder / "esco.duckdb"
    with connect(base) as con:
        ingest_sources(con, [(format_named("esco"), _esco_english(inputs))])
    postings = generated_postings(n, seed=11)
    if distinct_openings:
        postings = postings.with_columns(pl.format("Ref. {}. {}", "posting_id", "description").alias("description"))
    warehouses = {}
    for variant, frame in (("given", postings), ("detected", postings.drop("language"))):
        feed = folder / f"{variant}.csv"
        frame.write_csv(feed)
        warehouses[variant] = folder / f"{variant}.duckdb"
        shutil.copyfile(base, warehouses[variant])
        with connect(warehouses[variant]) as con:
            ingest_sources(con, [(format_named("generic_csv"), feed)])
    return warehouses


def figures(inputs: Path, n: int, cores: int, distinct_openings: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as name:
        warehouses = prepared_warehouses(Path(name), inputs, n, distinct_openings)
        bare = _in_child("bare", warehouses["given"], cores)
        given = _in_child("pipeline", warehouses["given"], cores)
        detected = _in_child("pipeline", warehouses["detected"], cores)
    if given["skills"] != bare["skills"]:
        raise SystemExit(f"the pipeline found {given['skills']} skills but the bare matcher {bare['skills']}")
    rate = {k: m["postings"] / m["seconds"] for k, m in (("bare", bare), ("given", given), ("detected", detected))}
    return {
        "postings": n,
        "distinct_openings": distinct_openings,
        "mean_text_chars": round(bare["chars"] / n),
        "skills_per_posting": round(bare["skills"] / n, 2),
        "bare_matcher_postings_per_s": round(rate["bare"]),
        "automaton_build_s": round(bare["build_seconds"], 2),
        "extract_language_given_postings_per_s": round(rate["given"]),
        "ratio_language_given": round(rate["given"] / rate["bare"], 3),
        "extract_language_detected_postings_per_s": round(rate["detected"]),
        "ratio_language_detected": round(rate["detected"] / rate["bare"], 3),
        "extract_peak_mb_language_given": round(given["peak_mb"]),
        "extract_peak_mb_language_detected": round(detected["peak_mb"]),
        "bare_peak_mb": round(bare["peak_mb"]),
        "peak_memory": "peak RSS (VmHWM) of the measuring process",
        "cores": cores,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="generated postings (default 20000)")
    parser.add_argument(
        "--inputs",
        type=Path,
        default=Path(os.environ.get("MOOCAST_INPUTS", ROOT.parent / "shared" / "data")),
        help="inputs folder with taxonomies/esco_v*_en [MOOCAST_INPUTS, else ../shared/data]",
    )
    parser.add_argument(
        "--cores",
        type=int,
        default=1,
        help="CPUs the measuring processes may use (sched_setaffinity; default 1, as in the goal)",
    )
    parser.add_argument(
        "--distinct-openings",
        action="store_true",
        help='start every description with its posting reference ("Ref. 123."), so that no two open alike',
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure", choices=["pipeline", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        # every thread of this process (lingua, polars, DuckDB) then runs on these CPUs only
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])
        measure = pipeline_measure if args.measure == "pipeline" else bare_measure
        print(json.dumps(measure(args.warehouse)))
        return
    result = figures(args.inputs, args.n, args.cores, args.distinct_openings)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>42}: {value}")


if __name__ == "__main__":
    main()
