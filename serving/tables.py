"""A served table held in memory: its rows in the order the API lists them, each encoded as JSON once (its
columns checked against the response model) when the snapshot is opened, with the positions of the rows of every value
of the columns the API filters on, so a filter is a dictionary lookup and a page is a join of encoded rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from itertools import pairwise
from typing import Any, get_args

import numpy as np
import polars as pl
from pydantic import BaseModel

Found = np.ndarray[Any, np.dtype[np.int64]]  # positions of rows, in the order they are listed


class Table:
    """`frame`'s rows as `model` answers them; equality filters on `keys`, comparisons on `numbers`."""

    def __init__(self, frame: pl.DataFrame, model: type[BaseModel], keys: tuple[str, ...],
                 numbers: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.columns = list(model.model_fields)
        conforming(frame, model)
        self.rows = frame.select(self.columns).write_ndjson().encode().splitlines() if frame.height else []
        self.codes: dict[str, np.ndarray[Any, np.dtype[np.int64]]] = {}
        self.values: dict[str, dict[str, int]] = {}
        self.positions: dict[str, list[Found]] = {}
        for key in keys:
            column = frame[key].fill_null("")
            codes = (column.rank("dense").cast(pl.Int64) - 1).to_numpy()  # the value's place among the distinct ones
            values = column.unique().sort().to_list()
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(values) + 1))
            self.codes[key] = codes
            self.values[key] = {value: code for code, value in enumerate(values)}
            self.positions[key] = [order[a:b] for a, b in pairwise(bounds)]
        self.numbers = {name: frame[name].to_numpy() for name in numbers}

    def everything(self) -> Found:
        return np.arange(len(self.rows), dtype=np.int64)

    def matching(self, equal: dict[str, str]) -> Found:
        """Positions (ascending) of the rows whose `equal` columns hold the given values."""
        if not equal:
            return self.everything()
        codes = {key: self.values[key].get(value) for key, value in equal.items()}
        if any(code is None for code in codes.values()):
            return np.empty(0, dtype=np.int64)
        smallest = min(codes, key=lambda key: len(self.positions[key][codes[key]]))  # type: ignore[index]
        found = self.positions[smallest][codes[smallest]]  # type: ignore[index]
        for key, code in codes.items():
            if key != smallest:
                found = found[self.codes[key][found] == code]
        return found

    def with_prefix(self, found: Found, key: str, prefix: str) -> Found:
        """Those of `found` whose `key` column starts with `prefix`."""
        codes = [code for value, code in self.values[key].items() if value.startswith(prefix)]
        return found[np.isin(self.codes[key][found], codes)]

    def page(self, found: Found, limit: int, offset: int) -> bytes:
        """The JSON page `{total, limit, offset, items}` of the rows at `found[offset:offset + limit]`."""
        rows = self.rows
        items = b",".join([rows[i] for i in found[offset : offset + limit].tolist()])
        return b'{"total":%d,"limit":%d,"offset":%d,"items":[%b]}' % (len(found), limit, offset, items)

    def csv(self, found: Found, limit: int, offset: int) -> bytes:
        """The same rows as CSV with a header (empty cells for nulls)."""
        return csv_text([json.loads(self.rows[i]) for i in found[offset : offset + limit].tolist()], self.columns)


def conforming(frame: pl.DataFrame, model: type[BaseModel]) -> None:
    """ValueError unless every field of `model` is a column of `frame` of its type, without nulls (nor NaN or
    infinite floats, which JSON encodes as null) where the field does not allow None. The rows are encoded by
    polars, column by column, so this check stands for validating each row against the model."""
    for name, field in model.model_fields.items():
        optional = type(None) in get_args(field.annotation)
        wanted = next(a for a in get_args(field.annotation) if a is not type(None)) if optional else field.annotation
        dtype = frame.schema.get(name)
        if dtype is None or not _ENCODES[wanted](dtype):  # type: ignore[index]
            raise ValueError(f"{model.__name__}.{name} ({wanted}) cannot be read from column {name} ({dtype})")
        if not optional:
            missing = frame[name].null_count() + (int((~frame[name].is_finite()).sum()) if dtype.is_float() else 0)
            if missing:
                raise ValueError(f"{model.__name__}.{name} is required but {missing} rows of {name} have no value")


_ENCODES: dict[type, Callable[[pl.DataType], bool]] = {  # the column types whose JSON each field type reads
    str: lambda dtype: dtype == pl.String,
    int: lambda dtype: dtype.is_integer(),
    float: lambda dtype: dtype.is_float() or dtype.is_integer(),
    date: lambda dtype: dtype == pl.Date,
}


def csv_text(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    """`rows` as CSV with a header: `columns` in order (others left out), empty cells for nulls."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def ordered(found: Found, rank: np.ndarray[Any, np.dtype[np.int64]]) -> Found:
    """`found` sorted by each row's `rank` (its place in an order precomputed over the whole table)."""
    return found[np.argsort(rank[found], kind="stable")]


def ranks(frame: pl.DataFrame, by: list[str], descending: list[bool]) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Each row's place when `frame` is sorted by `by` (nulls last)."""
    order = frame.with_row_index("_row").sort(by, descending=descending, nulls_last=True)["_row"].to_numpy()
    rank = np.empty(frame.height, dtype=np.int64)
    rank[order] = np.arange(frame.height)
    return rank
