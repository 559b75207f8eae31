"""ESCO classification: the official CSV export, one folder per version and language, e.g. `esco_v1.1.1_en`
(files `<name>_<lang>.csv[.gz]`; the language-neutral relation files may also lack the suffix).

The English folder holds the classification: skills, skill groups, the skills hierarchy, occupations, ISCO
groups, broader relations of both pillars, skill-skill and occupation-skill relations and the collections,
with every preferred, alternative and hidden label (alternative labels are newline-separated in the concept
files).
A folder in another language adds that language's labels to the same version: occupations, skill groups, ISCO
groups, and skills from `skills_<lang>` or, when the export lacks it, from its collection files (whose
alternative labels are separated by " | "); its collection membership rows are loaded too, while its
hierarchy and relation files, if any, are not read (they repeat the English ones). It needs the English
folder of the same version in the warehouse first: `find` lists English folders first."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest import Batch, Staged
from pipelines.readers import InputError, file_checksum

from .base import Format
from .esco_tables import (
    CONCEPTS,
    LABEL_KEY,
    LABEL_RULES,
    broader_table,
    collection_tables,
    concept_table,
    esco_file,
    hierarchy_table,
    need_esco_file,
    occupation_skills_table,
    other_labels,
    preferred_labels,
    read_concepts,
    skill_relations_table,
)
from .taxonomy_io import version_row

FOLDER_NAME = re.compile(r"^esco[_-]v?(?P<version>\d+(?:\.\d+)+)[_-](?P<lang>[a-z]{2})$", re.IGNORECASE)


def _version_and_language(path: Path) -> tuple[str, str]:
    match = FOLDER_NAME.match(path.name)
    if match is None:
        raise InputError(
            path,
            "cannot tell the ESCO version and language from the folder name: "
            "name the export folder like esco_v1.1.1_en",
        )
    return match["version"], match["lang"].lower()


def _english(folder: Path, version: str) -> tuple[list[Path], list[Staged]]:
    """Every table of the classification, with the English labels."""
    files, staged, labels = [], [], []
    for name, concept in CONCEPTS.items():
        path = need_esco_file(folder, name, "en")
        raw = read_concepts(path, name)
        files.append(path)
        staged.append(concept_table(raw, name, version))
        labels += [preferred_labels(raw, version, concept.kind, "en"), other_labels(raw, version, concept.kind, "en")]
    staged.append(Staged("concept_labels", pl.concat(labels), counted=False, min_rows=0))
    tables = {
        "skillsHierarchy": partial(hierarchy_table, version=version),
        "broaderRelationsSkillPillar": partial(broader_table, pillar="skill", version=version),
        "broaderRelationsOccPillar": partial(broader_table, pillar="occupation", version=version),
        "skillSkillRelations": partial(skill_relations_table, version=version),
        "occupationSkillRelations": partial(occupation_skills_table, version=version),
    }
    for name, table in tables.items():
        path = need_esco_file(folder, name, "en")
        files.append(path)
        staged.append(table(path))
    for path, _, _, rows in collection_tables(folder, "en", version):
        files.append(path)
        staged.append(rows)
    staged.append(Staged("taxonomy_versions", version_row("esco", version, ["en"], str(folder)), counted=False))
    return files, staged


def _translation(folder: Path, version: str, lang: str) -> tuple[list[Path], list[Staged]]:
    """The labels of one more language (and its collection files' membership rows)."""
    files, staged, kinds = [], [], set()
    for name, concept in CONCEPTS.items():
        path = esco_file(folder, name, lang)
        if path is None:
            continue
        raw = read_concepts(path, name)
        files.append(path)
        kinds.add(concept.kind)
        staged += [
            Staged("concept_labels", preferred_labels(raw, version, concept.kind, lang), LABEL_RULES, ("uri", "label")),
            Staged("concept_labels", other_labels(raw, version, concept.kind, lang), counted=False, min_rows=0),
        ]
    labels = []
    for path, kind, raw, members in collection_tables(folder, lang, version):
        files.append(path)
        staged.append(members)
        if kind not in kinds:  # labels of concepts the folder has no main file for
            labels += [preferred_labels(raw, version, kind, lang), other_labels(raw, version, kind, lang, " | ")]
    if not files:
        raise InputError(
            folder, f"no ESCO label file found (such as occupations_{lang}.csv or skillGroups_{lang}.csv.gz)"
        )
    if labels:
        rows = pl.concat(labels).drop_nulls("label").unique(LABEL_KEY, keep="first", maintain_order=True)
        staged.append(Staged("concept_labels", rows, counted=False, min_rows=0))
    return files, staged


def _record_languages(version: str, lang: str, source: str, con: duckdb.DuckDBPyConnection) -> None:
    """Set the version's languages to those of its labels; a translation needs its English version."""
    if (
        lang != "en"
        and con.execute("SELECT 1 FROM taxonomy_versions WHERE taxonomy = 'esco' AND version = ?", [version]).fetchall()
        == []
    ):
        raise InputError(
            source,
            f"ESCO {version} in '{lang}' only adds labels to the English classification "
            f"of the same version, which is not in the warehouse: "
            f"ingest esco_v{version}_en first",
        )
    con.execute(
        "UPDATE taxonomy_versions SET languages = (SELECT list(lang ORDER BY lang <> 'en', lang) "
        "FROM (SELECT DISTINCT lang FROM concept_labels WHERE version = ?)) "
        "WHERE taxonomy = 'esco' AND version = ?",
        [version, version],
    )


def read_esco(folder: Path) -> Batch:
    version, lang = _version_and_language(folder)
    if not folder.is_dir():
        raise InputError(folder, "an ESCO export is a folder of CSV files")
    files, staged = _english(folder, version) if lang == "en" else _translation(folder, version, lang)
    return Batch(
        "taxonomy",
        "esco",
        str(folder),
        files,
        file_checksum(files),
        staged,
        after_load=partial(_record_languages, version, lang, str(folder)),
    )


def _is_esco(path: Path) -> bool:
    return path.is_dir() and FOLDER_NAME.match(path.name) is not None and any(path.glob("*.csv*"))


def _load_order(path: Path) -> tuple[bool, tuple[int, ...], str]:
    version, lang = _version_and_language(path)
    return lang != "en", tuple(int(part) for part in version.split(".")), lang


def find_esco(folder: Path) -> list[Path]:
    """ESCO export folders, English ones first."""
    return sorted((path for path in folder.iterdir() if _is_esco(path)), key=_load_order)


FORMATS = [
    Format(
        "esco",
        "taxonomy",
        "ESCO CSV export folder per version and language (esco_v1.1.1_en, esco_v1.1.1_fr)",
        find_esco,
        _is_esco,
        read_esco,
    ),
]
