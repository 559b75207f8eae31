"""The rows of each ESCO export file, shaped as warehouse tables, with the rules they must meet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.ingest import Staged
from pipelines.readers import FILE, LINE
from pipelines.validation import Rule, matches, one_of, required, unique

from .taxonomy_io import find_file, need_file, read_table, table_rows

URI = r"^https?://\S+$"
SKILL_TYPES = ("knowledge", "skill/competence")
REUSE_LEVELS = ("transversal", "cross-sector", "sector-specific", "occupation-specific")
RELATION_TYPES = ("essential", "optional")
CONCEPT_TYPES = ("KnowledgeSkillCompetence", "SkillGroup", "Occupation", "ISCOGroup")
LABEL_COLUMNS = {"alt": "altLabels", "hidden": "hiddenLabels"}
LABEL_KEY = ["uri", "concept_kind", "label_type", "label"]
# collection file name → (collection, kind of concept it lists)
COLLECTIONS = {
    "digitalSkillsCollection": ("digital", "skill"),
    "greenSkillsCollection": ("green", "skill"),
    "transversalSkillsCollection": ("transversal", "skill"),
    "languageSkillsCollection": ("language", "skill"),
    "researchSkillsCollection": ("research", "skill"),
    "digCompSkillsCollection": ("digcomp", "skill"),
    "researchOccupationsCollection": ("research", "occupation"),
}


def _uri(column: str) -> tuple[Rule, Rule]:
    return required(column), matches(column, URI, "a URI")


@dataclass(frozen=True)
class ConceptFile:
    """A file of ESCO concepts: its table, the columns it loads (table column → file column), the columns
    it must have and the rules of its rows."""

    table: str
    kind: str  # concept_kind of its labels
    columns: dict[str, str]
    required: tuple[str, ...] = ("conceptUri", "preferredLabel")
    rules: tuple[Rule, ...] = ()


_ID = {"uri": "conceptUri", "preferred_label": "preferredLabel"}
CONCEPTS = {
    "skills": ConceptFile(
        "skills",
        "skill",
        _ID
        | {"skill_type": "skillType", "reuse_level": "reuseLevel", "description": "description", "status": "status"},
        rules=(
            one_of("skill_type", SKILL_TYPES, "ESCO skill type"),
            one_of("reuse_level", REUSE_LEVELS, "ESCO reuse level"),
        ),
    ),
    "skillGroups": ConceptFile("skill_groups", "skill_group", _ID | {"code": "code", "description": "description"}),
    "occupations": ConceptFile(
        "occupations",
        "occupation",
        _ID | {"isco_group": "iscoGroup", "code": "code", "description": "description"},
        ("conceptUri", "preferredLabel", "iscoGroup"),
        (required("isco_group"), matches("isco_group", r"^\d{4}$", "a 4-digit ISCO-08 code")),
    ),
    "ISCOGroups": ConceptFile(
        "isco_groups",
        "isco_group",
        _ID | {"code": "code"},
        ("conceptUri", "preferredLabel", "code"),
        (required("code"), matches("code", r"^\d{1,4}$", "an ISCO-08 code"), unique("code")),
    ),
}
LABEL_RULES = (*_uri("uri"), unique("uri"), required("label"))


def esco_file(folder: Path, name: str, lang: str) -> Path | None:
    """`<name>_<lang>.csv[.gz]`, or `<name>.csv[.gz]` (the language-neutral files), if present."""
    return find_file(folder, f"{name}_{lang}", name)


def need_esco_file(folder: Path, name: str, lang: str) -> Path:
    return need_file(folder, f"{name}_{lang}", name)


def read_concepts(path: Path, name: str) -> pl.DataFrame:
    """A concept file as strings; absent optional columns (labels, descriptions...) are nulls."""
    concept = CONCEPTS[name]
    return read_table(path, concept.required, (*concept.columns.values(), *LABEL_COLUMNS.values()))


def concept_table(raw: pl.DataFrame, name: str, version: str) -> Staged:
    """The rows of skills, skill_groups, occupations or isco_groups from an English concept file."""
    concept = CONCEPTS[name]
    rows = table_rows(raw, version=pl.lit(version), **concept.columns)
    rules = (*_uri("uri"), unique("uri"), required("preferred_label"), *concept.rules)
    return Staged(concept.table, rows, rules, ("uri", "preferred_label"))


def _label_rows(
    raw: pl.DataFrame, version: str, kind: str, lang: str, label_type: str, column: str, separator: str | None
) -> pl.DataFrame:
    label = pl.col(column) if separator is None else pl.col(column).str.split(separator)
    rows = raw.select(pl.col("conceptUri"), label.alias("label"), pl.col(FILE), pl.col(LINE))
    if separator is not None:
        rows = rows.explode("label")
    return table_rows(
        rows,
        version=pl.lit(version),
        uri="conceptUri",
        concept_kind=pl.lit(kind),
        lang=pl.lit(lang),
        label_type=pl.lit(label_type),
        label="label",
    )


def preferred_labels(raw: pl.DataFrame, version: str, kind: str, lang: str) -> pl.DataFrame:
    """One preferred-label row per record (empty labels kept, for the rules to quarantine)."""
    return _label_rows(raw, version, kind, lang, "preferred", "preferredLabel", None)


def other_labels(raw: pl.DataFrame, version: str, kind: str, lang: str, separator: str = "\n") -> pl.DataFrame:
    """The alternative and hidden labels present, one row per label, without repeats."""
    parts = [
        _label_rows(raw, version, kind, lang, label_type, column, separator)
        for label_type, column in LABEL_COLUMNS.items()
        if column in raw.columns
    ]
    return pl.concat(parts).drop_nulls("label").unique(LABEL_KEY, keep="first", maintain_order=True)


def _deepest(value: Callable[[int], pl.Expr]) -> pl.Expr:
    """`value(level)` for the deepest level (0 to 3) a skills-hierarchy row fills."""
    chosen = value(0)
    for level in (1, 2, 3):
        chosen = pl.when(pl.col(f"Level {level} URI").is_not_null()).then(value(level)).otherwise(chosen)
    return chosen


def hierarchy_table(path: Path, version: str) -> Staged:
    """One row per hierarchy line: the concept of its deepest filled level, with the level above as parent."""
    levels = range(4)
    raw = read_table(
        path,
        [f"Level {i} URI" for i in levels],
        [f"Level {i} {what}" for i in levels for what in ("preferred term", "code")],
    )
    rows = table_rows(
        raw,
        version=pl.lit(version),
        level=_deepest(lambda i: pl.lit(i, pl.Int32)),
        uri=_deepest(lambda i: pl.col(f"Level {i} URI")),
        code=_deepest(lambda i: pl.col(f"Level {i} code")),
        label=_deepest(lambda i: pl.col(f"Level {i} preferred term")),
        parent_uri=_deepest(lambda i: pl.col(f"Level {i - 1} URI") if i else pl.lit(None, pl.String)),
    )
    return Staged("skill_hierarchy", rows, (*_uri("uri"), unique("uri")), ("uri", "label"))


def broader_table(path: Path, pillar: str, version: str) -> Staged:
    raw = read_table(path, ("conceptUri", "broaderUri"), ("conceptType", "broaderType"))
    rows = table_rows(
        raw,
        version=pl.lit(version),
        pillar=pl.lit(pillar),
        uri="conceptUri",
        concept_type="conceptType",
        broader_uri="broaderUri",
        broader_type="broaderType",
    )
    rules = (
        *_uri("uri"),
        *_uri("broader_uri"),
        one_of("concept_type", CONCEPT_TYPES, "ESCO concept type"),
        one_of("broader_type", CONCEPT_TYPES, "ESCO concept type"),
    )
    return Staged("broader_relations", rows, rules, ("uri", "broader_uri"))


def _relation_type() -> tuple[Rule, Rule]:
    return (required("relation_type"), one_of("relation_type", RELATION_TYPES, "relation type (essential or optional)"))


def skill_relations_table(path: Path, version: str) -> Staged:
    raw = read_table(path, ("originalSkillUri", "relatedSkillUri", "relationType"))
    rows = table_rows(
        raw,
        version=pl.lit(version),
        skill_uri="originalSkillUri",
        related_uri="relatedSkillUri",
        relation_type="relationType",
    )
    rules = (*_uri("skill_uri"), *_uri("related_uri"), *_relation_type())
    return Staged("skill_relations", rows, rules, ("skill_uri", "related_uri", "relation_type"))


def occupation_skills_table(path: Path, version: str) -> Staged:
    raw = read_table(path, ("occupationUri", "skillUri", "relationType"), ("skillType",))
    rows = table_rows(
        raw,
        version=pl.lit(version),
        occupation_uri="occupationUri",
        skill_uri="skillUri",
        relation_type="relationType",
        skill_type="skillType",
    )
    rules = (
        *_uri("occupation_uri"),
        *_uri("skill_uri"),
        *_relation_type(),
        one_of("skill_type", SKILL_TYPES, "ESCO skill type"),
    )
    return Staged("occupation_skills", rows, rules, ("occupation_uri", "relation_type", "skill_uri"))


def collection_tables(folder: Path, lang: str, version: str) -> list[tuple[Path, str, pl.DataFrame, Staged]]:
    """Each collection file present: its path, the kind of concept it lists, its raw rows and its
    skill_collections rows."""
    found = []
    for name, (collection, kind) in COLLECTIONS.items():
        path = esco_file(folder, name, lang)
        if path is None:
            continue
        raw = read_table(path, ("conceptUri",), ("preferredLabel", "altLabels"))
        rows = table_rows(
            raw, version=pl.lit(version), collection=pl.lit(collection), uri="conceptUri", concept_kind=pl.lit(kind)
        )
        rules = (*_uri("uri"), unique("uri"))
        found.append((path, kind, raw, Staged("skill_collections", rows, rules, ("uri",))))
    return found
