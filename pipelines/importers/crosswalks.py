"""Occupation crosswalks, read from one folder (searched recursively) into the long `crosswalks` table:

  esco_onet             esco_onet_crosswalk*.csv            esco_occupation (concept URI) → onet,
                                                            weight = Nesta's confidence (0.5, 1, 2)
  isco_soc              isco08_to_soc2010*.csv              isco08 → soc2010 (BLS)
  kldb_isco             ba20*_kldb2010*_5d_to_isco08_4d*    kldb2010_5d → isco08, is_primary = BA's main code
  kldb3_isco            *kldb2010*_3d_to_isco08_4d*         kldb2010_3d → isco08, weight = share of the
                                                            group's 5-digit codes having it as main code
  kldb3_labels          kldb2010_3d_labels*.csv             kldb2010_3d → itself: from_label English,
                                                            to_label German name of the group
  skills_based_sectors  *skills_based_sectors*.csv          skills_based_sub_sector → skills_based_sector
                                                            (Nesta's 54 sub-sectors in their 14 sectors)

Files are .csv or .csv.gz; when a pattern matches several files the last by name is read. Codes are kept as
text (leading zeros stay); the folder needs at least one of these files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from pipelines.ingest import Batch, Staged
from pipelines.readers import InputError, file_checksum, files_under
from pipelines.validation import QUARANTINE_COLUMNS, Rule, between, matches, one_of, parses, required, unique

from .base import Format
from .taxonomy_io import flag, number, read_table, screen, table_rows

PATTERNS = {
    "esco_onet": "esco_onet_crosswalk*.csv*",
    "isco_soc": "isco08_to_soc2010*.csv*",
    "kldb_isco": "ba20*_kldb2010*_5d_to_isco08_4d*.csv*",
    "kldb3_isco": "*kldb2010*_3d_to_isco08_4d*.csv*",
    "kldb3_labels": "kldb2010_3d_labels*.csv*",
    "skills_based_sectors": "*skills_based_sectors*.csv*",
}
CODES = {
    "esco_occupation": (r"^https?://data\.europa\.eu/esco/occupation/\S+$", "an ESCO occupation URI"),
    "onet": (r"^\d{2}-\d{4}\.\d{2}$", "an O*NET-SOC code (NN-NNNN.NN)"),
    "isco08": (r"^\d{3,4}$", "a 4-digit ISCO-08 unit group (or 3-digit minor group) code"),
    "soc2010": (r"^\d{2}-\d{4}$", "a SOC 2010 code (NN-NNNN)"),
    "kldb2010_5d": (r"^\d{5}$", "a 5-digit KldB 2010 code"),
    "kldb2010_3d": (r"^\d{3}$", "a 3-digit KldB 2010 code"),
    "skills_based_sub_sector": (r"^\d+\.\d+$", "a sub-sector code (N.N)"),
    "skills_based_sector": (r"^\d+$", "a sector code"),
}
NO_REJECTS = pl.DataFrame(schema=QUARANTINE_COLUMNS)
# a file's rows (from_code, from_label, to_code, to_label and optionally weight, is_primary), the rules
# particular to it, and the records quarantined before typing
Part = tuple[pl.DataFrame, tuple[Rule, ...], pl.DataFrame]


def _found(folder: Path) -> dict[str, Path]:
    """The file read for each crosswalk present in the folder."""
    found = {}
    for crosswalk, pattern in PATTERNS.items():
        paths = files_under(folder, pattern)
        if paths:
            found[crosswalk] = paths[-1]
    return found


def _esco_onet(path: Path, found: dict[str, Path]) -> Part:
    raw = read_table(path, ("concept_uri", "onet_code", "confidence"), ("esco_occupation", "onet_occupation"))
    raw, rejects = screen(
        raw.with_columns(weight=number("confidence")),
        (parses("weight", pl.col("confidence"), "a number"),),
        ("concept_uri", "confidence"),
    )
    rows = table_rows(
        raw,
        from_code="concept_uri",
        from_label="esco_occupation",
        to_code="onet_code",
        to_label="onet_occupation",
        weight="weight",
    )
    return rows, (unique("from_code"), between("weight", 0.5, 2)), rejects


def _isco_soc(path: Path, found: dict[str, Path]) -> Part:
    raw = read_table(path, ("ISCO-08 Code", "2010 SOC Code"), ("ISCO-08 Title EN", "2010 SOC Title"))
    rows = table_rows(
        raw, from_code="ISCO-08 Code", from_label="ISCO-08 Title EN", to_code="2010 SOC Code", to_label="2010 SOC Title"
    )
    return rows, (), NO_REJECTS


def _kldb_isco(path: Path, found: dict[str, Path]) -> Part:
    raw = read_table(path, ("kldb2010_5d", "isco08_4d", "is_primary"), ("kldb2010_5d_title_en", "isco08_4d_title_en"))
    raw, rejects = screen(
        raw, (one_of("is_primary", ["1", "0"], "is_primary flag (1 or 0)"),), ("kldb2010_5d", "isco08_4d", "is_primary")
    )
    rows = table_rows(
        raw,
        from_code="kldb2010_5d",
        from_label="kldb2010_5d_title_en",
        to_code="isco08_4d",
        to_label="isco08_4d_title_en",
        is_primary=flag("is_primary", "1", "0"),
    )
    return rows, (), rejects


def _names(path: Path | None, code: str, label: str) -> pl.DataFrame:
    """code → label from a file read for its names only; empty when the file is absent."""
    if path is None:
        return pl.DataFrame(schema={code: pl.String, label: pl.String})
    return read_table(path, (code, label)).select(code, label).unique(code, keep="first")


def _kldb3_isco(path: Path, found: dict[str, Path]) -> Part:
    """The 3-digit aggregation, with names from the group labels and the 5-digit file's ISCO titles."""
    raw = read_table(path, ("kldb2010_3d", "isco08_4d", "share_primary"))
    groups = _names(found.get("kldb3_labels"), "kldb2010_3d", "title_en")
    isco = _names(found.get("kldb_isco"), "isco08_4d", "isco08_4d_title_en")
    raw = raw.join(groups, on="kldb2010_3d", how="left").join(isco, on="isco08_4d", how="left")
    raw, rejects = screen(
        raw.with_columns(weight=number("share_primary")),
        (parses("weight", pl.col("share_primary"), "a number"),),
        ("kldb2010_3d", "isco08_4d", "share_primary"),
    )
    rows = table_rows(
        raw,
        from_code="kldb2010_3d",
        from_label="title_en",
        to_code="isco08_4d",
        to_label="isco08_4d_title_en",
        weight="weight",
    )
    return rows, (between("weight", 0, 1),), rejects


def _kldb3_labels(path: Path, found: dict[str, Path]) -> Part:
    raw = read_table(path, ("kldb2010_3d", "title_en", "title_de"))
    rows = table_rows(raw, from_code="kldb2010_3d", from_label="title_en", to_code="kldb2010_3d", to_label="title_de")
    return rows, (unique("from_code"), required("from_label"), required("to_label")), NO_REJECTS


def _sectors(path: Path, found: dict[str, Path]) -> Part:
    raw = read_table(path, ("sub_sector_code", "skills_based_sector_code"), ("sub_sector", "skills_based_sector"))
    rows = table_rows(
        raw,
        from_code="sub_sector_code",
        from_label="sub_sector",
        to_code="skills_based_sector_code",
        to_label="skills_based_sector",
    )
    return rows, (unique("from_code"),), NO_REJECTS


# crosswalk → (from scheme, to scheme, reader)
CROSSWALKS: dict[str, tuple[str, str, Callable[[Path, dict[str, Path]], Part]]] = {
    "esco_onet": ("esco_occupation", "onet", _esco_onet),
    "isco_soc": ("isco08", "soc2010", _isco_soc),
    "kldb_isco": ("kldb2010_5d", "isco08", _kldb_isco),
    "kldb3_isco": ("kldb2010_3d", "isco08", _kldb3_isco),
    "kldb3_labels": ("kldb2010_3d", "kldb2010_3d", _kldb3_labels),
    "skills_based_sectors": ("skills_based_sub_sector", "skills_based_sector", _sectors),
}


def _staged(crosswalk: str, rows: pl.DataFrame, rules: tuple[Rule, ...]) -> Staged:
    from_scheme, to_scheme, _ = CROSSWALKS[crosswalk]
    rows = rows.with_columns(crosswalk=pl.lit(crosswalk), from_scheme=pl.lit(from_scheme), to_scheme=pl.lit(to_scheme))
    for column, dtype in (("weight", pl.Float64), ("is_primary", pl.Boolean)):
        if column not in rows.columns:
            rows = rows.with_columns(pl.lit(None, dtype).alias(column))
    code_rules = [
        rule
        for scheme, column in ((from_scheme, "from_code"), (to_scheme, "to_code"))
        for rule in (required(column), matches(column, *CODES[scheme]))
    ]
    return Staged("crosswalks", rows, (*code_rules, *rules), ("from_code", "to_code"))


def read_crosswalks(folder: Path) -> Batch:
    if not folder.is_dir():
        raise InputError(folder, "crosswalks are read from a folder")
    found = _found(folder)
    if not found:
        raise InputError(folder, f"no crosswalk file found (looked for {', '.join(PATTERNS.values())})")
    staged, rejects = [], []
    for crosswalk, path in found.items():
        rows, rules, bad = CROSSWALKS[crosswalk][2](path, found)
        staged.append(_staged(crosswalk, rows, rules))
        rejects.append(bad)
    files = list(found.values())
    return Batch("taxonomy", "crosswalks", str(folder), files, file_checksum(files), staged, rejects=pl.concat(rejects))


def _is_crosswalks(path: Path) -> bool:
    return path.is_dir() and bool(_found(path))


FORMATS = [
    Format(
        "crosswalks",
        "taxonomy",
        "folder of occupation crosswalks (ESCO-O*NET, ISCO-SOC, KldB-ISCO, skills-based sectors)",
        lambda folder: sorted(path for path in folder.iterdir() if _is_crosswalks(path)),
        _is_crosswalks,
        read_crosswalks,
    ),
]
