"""Running ingestion over sources: which importer reads what, one transaction per source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from pipelines.importers import KINDS, format_named, format_of, sources_found
from pipelines.importers.base import Format
from pipelines.ingest import RunReport, load_batch
from pipelines.warehouse import table_names


def planned_sources(
    inputs: Path, kind: str, paths: Sequence[Path] = (), format_name: str | None = None
) -> list[tuple[Format, Path]]:
    """(format, source) pairs to ingest: the given paths, or everything of the kind under `inputs`. Paths are
    made absolute (symbolic links resolved), so a file named relatively in one run and absolutely in the next is
    the same source, whose reload replaces its rows or finds it unchanged."""
    kinds = KINDS if kind == "all" else (kind,)
    paths = [path.resolve() for path in paths]
    inputs = inputs.resolve()
    if paths:
        if kind == "all":
            raise ValueError("`ingest all` walks the inputs folder; give paths to a specific kind instead")
        for path in paths:
            if not path.exists():
                raise FileNotFoundError(f"{path}: no such file or folder")
        if format_name is not None:
            fmt = format_named(format_name)
            if fmt.kind != kind:
                raise ValueError(f"format {format_name} reads {fmt.kind}, not {kind}")
            return [(fmt, path) for path in paths]
        return [(format_of(path, kind), path) for path in paths]
    return [pair for k in kinds for pair in sources_found(inputs, k)]


def ingest_sources(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[tuple[Format, Path]],
    on_done: Callable[[RunReport], None] = lambda report: None,
) -> list[RunReport]:
    """Read, validate and load each source in its own transaction; stops at the first unreadable one."""
    tables = table_names(con)
    reports = []
    for fmt, path in sources:
        report = load_batch(con, fmt.read(path), tables)
        on_done(report)
        reports.append(report)
    return reports
