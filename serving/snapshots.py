"""The published results the service reads: a read-only DuckDB connection to the snapshot `current` points at
and its lists read into memory, switched to a newer snapshot between requests without disturbing those in
flight."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.publish import CURRENT, SERVING_SCHEMA
from serving.lookups import InMemory, in_memory, vocabularies_read
from serving.queries import health_of
from serving.reader import Reader, ResponseCache, Vocabularies


class NoSnapshotError(RuntimeError):
    """Nothing has been published yet."""


@dataclass
class Snapshot:
    """One open snapshot; its connection is closed once it is retired and no query uses it any more, its tables
    in memory are freed when no request holds it."""

    name: str
    con: duckdb.DuckDBPyConnection
    health: dict[str, Any]  # what /health answers, read once: the snapshot never changes
    vocabularies: Vocabularies
    tables: InMemory
    cache: ResponseCache
    users: int = 0
    retired: bool = False


def opened(folder: Path, name: str, cache_bytes: int) -> Snapshot:
    """A snapshot opened read-only (one thread per query: requests run side by side on the threadpool), its
    listed tables and vocabularies read into memory."""
    con = duckdb.connect(str(folder / name), read_only=True, config={"threads": 1, "memory_limit": "256MB"})
    try:
        con.execute("SET enable_progress_bar = false")
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta["serving_schema"] != SERVING_SCHEMA:
            raise ValueError(
                f"snapshot {folder / name} has serving schema {meta['serving_schema']}, this service reads "
                f"{SERVING_SCHEMA}: an earlier version of moocast published it; run `moocast publish` again"
            )
        vocabularies = Vocabularies(con)
        vocabularies_read(vocabularies)
        try:
            tables = in_memory(con)
        except ValueError as error:
            raise ValueError(
                f"snapshot {folder / name} cannot be served: {error}; if an earlier version of moocast published "
                "it, run `moocast publish` again"
            ) from error
        return Snapshot(name, con, health_of(con, meta), vocabularies, tables, ResponseCache(cache_bytes))
    except BaseException:
        con.close()  # a snapshot that cannot be served is not kept open
        raise


class SnapshotStore:
    """Holds the current snapshot. Every `check_seconds` at most, a request reads the `current` link (one
    readlink); when it names another file, a background thread opens that one (reading its tables takes
    seconds) while requests go on with the current snapshot, then swaps the reference. A request keeps the
    snapshot it started with; a retired snapshot's connection is closed when its last query ends."""

    def __init__(self, folder: Path, check_seconds: float = 1.0, cache_bytes: int = 0) -> None:
        self.folder = folder
        self.cache_bytes = cache_bytes
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._opening: str | None = None  # the snapshot a background thread is opening
        self._unopenable: str | None = None  # the last one that failed to open
        self._checked = 0.0

    def _linked(self) -> str:
        try:
            return os.readlink(self.folder / CURRENT)
        except FileNotFoundError:
            raise NoSnapshotError(
                f"no published results in {self.folder}: run `moocast publish` (or `moocast run`) first"
            ) from None

    def _refreshed(self) -> Snapshot:
        """The snapshot to use now (under the lock); every check_seconds, starts opening the one `current` links
        to if it is another. Only the very first snapshot is opened in the caller's thread."""
        now = time.monotonic()
        snapshot = self._snapshot
        if snapshot is None or now - self._checked >= self.check_seconds:
            self._checked = now
            name = self._linked()
            if snapshot is None:
                self._snapshot = snapshot = opened(self.folder, name, self.cache_bytes)
            elif name not in (snapshot.name, self._unopenable) and self._opening is None:
                self._opening = name
                threading.Thread(target=self._switched, args=(name,), name=f"open {name}", daemon=True).start()
        return snapshot

    def _switched(self, name: str) -> None:
        """Open snapshot `name` and make it the current one (in a background thread). One that fails to open
        (its error goes to the log) is not tried again; the next published one is."""
        fresh = None
        try:
            fresh = opened(self.folder, name, self.cache_bytes)
        finally:
            with self._lock:
                self._opening = None
                if fresh is None:
                    self._unopenable = name
                else:
                    old, self._snapshot = self._snapshot, fresh
                    self._checked = 0.0  # look again at once: `current` may have moved on meanwhile
                    if old is not None:
                        old.retired = True
                        self._close_if_unused(old)

    def current(self) -> Snapshot:
        """The current snapshot, for what it holds in memory (health, tables, cache): its connection may be
        closed after the next switch; queries go through `cursor()`."""
        with self._lock:
            return self._refreshed()

    def _close_if_unused(self, snapshot: Snapshot) -> None:
        if snapshot.retired and snapshot.users == 0:
            snapshot.con.close()

    @contextmanager
    def cursor(self) -> Iterator[tuple[Reader, Snapshot]]:
        """A cursor on the current snapshot, and the snapshot, for one request."""
        with self._lock:
            snapshot = self._refreshed()
            snapshot.users += 1
        cursor = snapshot.con.cursor()
        try:
            yield Reader(cursor, snapshot.vocabularies), snapshot
        finally:
            cursor.close()
            with self._lock:
                snapshot.users -= 1
                self._close_if_unused(snapshot)

    def close(self) -> None:
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.retired = True
                self._close_if_unused(self._snapshot)
                self._snapshot = None
