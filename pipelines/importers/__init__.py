"""Every input format moocast reads, by kind; `ingest all` walks the inputs folder with them."""

from __future__ import annotations

from pathlib import Path

from pipelines.importers import ba, courses, crosswalks, esco, eurostat, indeed, indeed_titles, onet, ons, postings
from pipelines.importers.base import KIND_FOLDERS, Format

FORMATS: list[Format] = [
    *esco.FORMATS,
    *onet.FORMATS,
    *crosswalks.FORMATS,
    *postings.FORMATS,
    *ba.FORMATS,
    *ons.FORMATS,
    *indeed.FORMATS,
    *indeed_titles.FORMATS,
    *eurostat.FORMATS,
    *courses.FORMATS,
]
KINDS = tuple(KIND_FOLDERS)


def formats_of(kind: str) -> list[Format]:
    """The formats of one kind, in load order."""
    return [fmt for fmt in FORMATS if fmt.kind == kind]


def format_named(name: str) -> Format:
    """The format called `name`; a ValueError lists the known names otherwise."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise ValueError(f"unknown format {name!r}; known: {', '.join(f.name for f in FORMATS)}")


def sources_found(inputs: Path, kind: str) -> list[tuple[Format, Path]]:
    """Every (format, source) under the kind's folder of the inputs layout, in load order."""
    folder = inputs / KIND_FOLDERS[kind]
    if not folder.is_dir():
        return []
    return [(fmt, source) for fmt in formats_of(kind) for source in fmt.find(folder)]


def format_of(path: Path, kind: str) -> Format:
    """The format of a user-given path, recognised by its name and columns."""
    for fmt in formats_of(kind):
        if fmt.claims(path):
            return fmt
    names = ", ".join(f.name for f in formats_of(kind))
    raise ValueError(f"{path}: not recognised as any {kind} format ({names}); pass --format NAME")
