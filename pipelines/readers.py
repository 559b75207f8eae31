"""Reading input files into string frames, with errors that name the file and the problem."""

from __future__ import annotations

import csv
import fnmatch
import gzip
import hashlib
import io
import json
import os
import zlib
from collections.abc import Iterable
from pathlib import Path

import polars as pl

QUARANTINE_COLUMNS = {"file": pl.String, "line": pl.Int64, "field": pl.String, "reason": pl.String, "raw": pl.String}
LINE = "_line"  # 1-based record number in its file (header excluded); mapped to physical lines on quarantine
FILE = "_file"


class InputError(Exception):
    """An input that cannot be read at all: nothing of it is loaded."""

    def __init__(self, file: Path | str, problem: str, line: int | None = None, field: str | None = None):
        where = str(file) + (f", line {line}" if line is not None else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {problem}")
        self.file, self.problem, self.line, self.field = str(file), problem, line, field


def files_under(folder: Path, pattern: str = "*") -> list[Path]:
    """The files under `folder` (recursively) whose name matches `pattern`, sorted by path. Links to folders are
    followed, each real folder once: `Path.rglob` skips linked folders before Python 3.13, so a postings folder
    linked into the inputs would have been left out without a word."""
    found, seen = [], set()
    for root, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:  # a link back up the tree, or a second link to the same folder
            folders.clear()
            continue
        seen.add(real)
        found += [Path(root, name) for name in fnmatch.filter(names, pattern) if Path(root, name).is_file()]
    return sorted(found)


def file_checksum(paths: Iterable[Path]) -> str:
    """sha256 over the bytes of the given files, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _raw_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as err:
            raise InputError(path, f"not a complete gzip file ({err})") from err
    return data


def read_csv_strings(
    path: Path, required: Iterable[str] = (), separator: str = ",", skip_index_column: bool = False
) -> pl.DataFrame:
    """Every column as a string, plus `_line` (record number) and `_file`.

    Raises InputError for a file that is not UTF-8, not complete, not CSV or lacks a required column.
    """
    source: Path | io.BytesIO = path
    if path.suffix == ".gz":  # decompressed here, so that a truncated file is named as such
        source = io.BytesIO(_raw_bytes(path))
    if (source.getbuffer().nbytes if isinstance(source, io.BytesIO) else path.stat().st_size) == 0:
        raise InputError(path, "the file is empty")
    try:
        frame = pl.read_csv(source, separator=separator, infer_schema=False, quote_char='"', raise_if_empty=True)
    except pl.exceptions.NoDataError as err:
        raise InputError(path, "the file is empty") from err
    except pl.exceptions.ComputeError as err:
        if "utf-8" in str(err).lower():
            raise _utf8_error(path) from err
        raise InputError(path, f"not a readable CSV file ({str(err).splitlines()[0]})") from err
    if skip_index_column and frame.columns and frame.columns[0] in ("", "__UNNAMED__0"):
        frame = frame.drop(frame.columns[0])
    check_columns(path, frame.columns, required)
    return with_position(frame, path)


def _utf8_error(path: Path) -> InputError:
    """The InputError for a file that is not UTF-8, with the line of the first bad byte."""
    data = _raw_bytes(path)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return InputError(path, f"not valid UTF-8 (byte {err.start})", line=data[: err.start].count(b"\n") + 1)
    return InputError(path, "not valid UTF-8")


def read_parquet_checked(path: Path, required: Iterable[str] = ()) -> pl.DataFrame:
    """A Parquet file as it is typed; InputError for an unreadable file or a missing required column."""
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.ComputeError, OSError) as err:
        raise InputError(path, f"not a readable Parquet file ({err})") from err
    check_columns(path, frame.columns, required)
    return frame


def read_jsonl_strings(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records, rejects) of a JSON Lines file: one string column per key (non-strings JSON-encoded), plus
    `_line`/`_file`; a line that is not a JSON object is a quarantine row, not a fatal error."""
    records, bad = [], []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise InputError(path, f"not valid UTF-8 (byte {err.start})") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            bad.append((str(path), number, None, f"not valid JSON ({err.msg})", line[:2000]))
            continue
        if not isinstance(record, dict):
            bad.append((str(path), number, None, "not a JSON object", line[:2000]))
            continue
        records.append(
            {k: v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in record.items()}
            | {LINE: number}
        )
    if not records:
        raise InputError(path, "no JSON object found")
    frame = pl.DataFrame(records, infer_schema_length=None).with_columns(
        pl.col(LINE).cast(pl.Int64), pl.lit(str(path)).alias(FILE)
    )
    return frame, pl.DataFrame(bad, schema=list(QUARANTINE_COLUMNS.items()), orient="row")


def csv_header(path: Path, separator: str = ",") -> set[str]:
    """The column names on a CSV file's first line (empty for a file that is not readable text)."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            return set(next(csv.reader(handle, delimiter=separator), []))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error):
        return set()


def check_columns(path: Path, columns: Iterable[str], required: Iterable[str]) -> None:
    """Raise InputError naming the missing required columns."""
    have = set(columns)
    missing = [name for name in required if name not in have]
    if missing:
        raise InputError(path, f"missing required column(s) {', '.join(missing)}; found {', '.join(sorted(have))}")


def with_position(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Add `_line` (1-based record number) and `_file` columns."""
    return frame.with_row_index(LINE, offset=1).with_columns(pl.col(LINE).cast(pl.Int64), pl.lit(str(path)).alias(FILE))


def physical_lines(path: Path, records: set[int]) -> dict[int, int]:
    """Map 1-based CSV record numbers to the physical line each record starts on (quoted newlines count)."""
    if path.suffix not in (".csv", ".gz", ".tsv") or not records:
        return {r: r for r in records}
    text = _raw_bytes(path).decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    mapping: dict[int, int] = {}
    next(reader, None)  # header
    start = reader.line_num + 1
    wanted = max(records)
    for number, _row in enumerate(reader, start=1):
        if number in records:
            mapping[number] = start
        if number >= wanted:
            break
        start = reader.line_num + 1
    return mapping
