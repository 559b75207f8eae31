"""What a query function reads through: one request's cursor on a snapshot, and the snapshot's vocabularies (the
known values of a column, loaded once per snapshot) that filter values are checked against without SQL."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qsl, urlencode

import duckdb


class Vocabularies:
    """The distinct values of (table, column) pairs of one snapshot, each read on first use."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], frozenset[str]] = {}

    def known(self, table: str, column: str) -> frozenset[str]:
        with self._lock:
            if (table, column) not in self._known:
                cur = self._con.cursor()
                rows = cur.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()  # names from our code only
                cur.close()
                self._known[table, column] = frozenset(str(row[0]) for row in rows if row[0] is not None)
            return self._known[table, column]


Answer = tuple[bytes, str, dict[str, str]]  # body, media type, extra headers


def answer_key(path: str, query_string: str) -> str:
    """The cache key of a request: its path and its query parameters in a fixed order."""
    return f"{path}?{urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))}"


class ResponseCache:
    """Encoded answers by request (answer_key), least recently used first out beyond `max_bytes` of bodies.
    Sound because a snapshot never changes: each snapshot has its own cache, gone with it."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._bytes = 0
        self.paths: set[str] = set()  # the paths of the requests answered so far (kept or evicted since)

    def get(self, key: str) -> Answer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is not None:
                self._items.move_to_end(key)
            return answer

    def put(self, key: str, answer: Answer) -> None:
        if len(answer[0]) > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = answer
            self.paths.add(key.partition("?")[0])
            self._bytes += len(answer[0])
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped[0])


class Reader:
    """A request's cursor (`execute` as DuckDB's) with the snapshot's vocabularies."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, vocabularies: Vocabularies) -> None:
        self.cursor = cursor
        self.vocabularies = vocabularies

    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        return self.cursor.execute(sql, params)

    def known(self, table: str, column: str) -> frozenset[str]:
        return self.vocabularies.known(table, column)
