"""The published results the service reads: a read-only DuckDB connection to the snapshot `current` points at,
switched to a newer snapshot between requests without disturbing those in flight."""

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

from pipelines.publish import CURRENT
from serving.queries import health_of
from serving.reader import Reader, ResponseCache, Vocabularies


class NoSnapshotError(RuntimeError):
    """Nothing has been published yet."""


@dataclass
class Snapshot:
    """One open snapshot; closed once it is retired and no request uses it any more."""

    name: str
    con: duckdb.DuckDBPyConnection
    health: dict[str, Any]  # what /health answers, read once: the snapshot never changes
    vocabularies: Vocabularies
    cache: ResponseCache
    users: int = 0
    retired: bool = False


def opened(folder: Path, name: str, cache_bytes: int) -> Snapshot:
    """A snapshot opened read-only; one thread per query (requests run side by side on the threadpool)."""
    con = duckdb.connect(str(folder / name), read_only=True, config={"threads": 1})
    con.execute("SET enable_progress_bar = false")
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    return Snapshot(name, con, health_of(con, meta), Vocabularies(con), ResponseCache(cache_bytes))


class SnapshotStore:
    """Holds the current snapshot; every `check_seconds` at most, a request reads the `current` link (one
    readlink) and, when it names another file, opens that one and swaps the reference. Each request works on
    its own cursor of the snapshot it started with; a retired snapshot is closed when its last request ends."""

    def __init__(self, folder: Path, check_seconds: float = 1.0, cache_bytes: int = 0) -> None:
        self.folder = folder
        self.cache_bytes = cache_bytes
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0

    def _linked(self) -> str:
        try:
            return os.readlink(self.folder / CURRENT)
        except FileNotFoundError:
            raise NoSnapshotError(
                f"no published results in {self.folder}: run `moocast publish` (or `moocast run`) first"
            ) from None

    def _refreshed(self) -> Snapshot:
        """The snapshot to use now (under the lock): every check_seconds, the one `current` links to."""
        now = time.monotonic()
        snapshot = self._snapshot
        if snapshot is None or now - self._checked >= self.check_seconds:
            self._checked = now
            name = self._linked()
            if snapshot is None or name != snapshot.name:
                fresh = opened(self.folder, name, self.cache_bytes)
                if snapshot is not None:
                    snapshot.retired = True
                    self._close_if_unused(snapshot)
                self._snapshot = snapshot = fresh
        return snapshot

    def current(self) -> Snapshot:
        """The current snapshot, for what it holds in memory (health, cache): its connection may be closed by
        the next switch; queries go through `cursor()`. Cheap, but opens a newly published snapshot (a few ms,
        once per publish)."""
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
