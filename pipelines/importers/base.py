"""What every importer provides: a named format that finds its sources and reads one into a Batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest import Batch

KIND_FOLDERS = {"taxonomy": "taxonomies", "postings": "postings", "stats": "stats", "courses": "courses"}


@dataclass(frozen=True)
class Format:
    """An input format: `find` lists the sources of this format under a kind's folder (in load order),
    `claims` tells whether a path given by the user is of this format, `read` parses one source."""

    name: str
    kind: str
    description: str
    find: Callable[[Path], list[Path]]
    claims: Callable[[Path], bool]
    read: Callable[[Path], Batch]
