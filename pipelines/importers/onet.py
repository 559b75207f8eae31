"""O*NET database release as CSV, one folder per version, e.g. `onet_29.2`: Occupation_Data (with the job
zone of Job_Zones), Alternate_Titles and Sample_of_Reported_Titles, Skills and Knowledge (the importance (IM)
and level (LV) records of an occupation × element become one row: rows_read counts these pairs, plus any
record quarantined before pairing) and Technology_Skills (element_name = the product example, element_id =
its UNSPSC commodity code, Hot Technology / In Demand Y/N as booleans)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from pipelines.ingest import Batch, Staged
from pipelines.readers import FILE, LINE, InputError, file_checksum
from pipelines.validation import Rule, between, matches, one_of, parses, required, unique

from .base import Format
from .taxonomy_io import flag, need_file, number, read_table, screen, table_rows, version_row

FOLDER_NAME = re.compile(r"^onet[_-]v?(?P<version>\d+\.\d+)$", re.IGNORECASE)
CODE, TITLE = "O*NET-SOC Code", "Title"
SCALES = {"IM": "importance", "LV": "level"}
RATINGS = {"Skills": "skills", "Knowledge": "knowledge"}
YES_NO = ("Y", "N")
NO_FLAG = pl.lit(None, pl.Boolean)


def _code(column: str = "code") -> tuple[Rule, Rule]:
    return required(column), matches(column, r"^\d{2}-\d{4}\.\d{2}$", "an O*NET-SOC code (NN-NNNN.NN)")


def _occupations(folder: Path, version: str) -> tuple[list[Path], Staged, pl.DataFrame]:
    """Occupations with their job zone; Job_Zones records that are not valid are quarantined."""
    path, zones_path = need_file(folder, "Occupation_Data"), need_file(folder, "Job_Zones")
    raw = read_table(path, (CODE, TITLE), ("Description",))
    zones_raw = read_table(zones_path, (CODE, "Job Zone")).with_columns(job_zone=number("Job Zone", pl.Int32))
    zone_rules = (
        *_code(CODE),
        unique(CODE),
        required("Job Zone"),
        one_of("Job Zone", [str(zone) for zone in range(1, 6)], "job zone (1-5)"),
    )
    zones, rejects = screen(zones_raw, zone_rules, (CODE, "Job Zone"))
    raw = raw.join(zones.select(CODE, "job_zone"), on=CODE, how="left")
    rows = table_rows(
        raw, version=pl.lit(version), code=CODE, title=TITLE, description="Description", job_zone="job_zone"
    )
    rules = (*_code(), unique("code"), required("title"), between("job_zone", 1, 5))
    return [path, zones_path], Staged("onet_occupations", rows, rules, ("code", "title")), rejects


def _titles(folder: Path, version: str) -> tuple[list[Path], list[Staged]]:
    files, staged = [], []
    for name, column, kind in (
        ("Alternate_Titles", "Alternate Title", "alternate"),
        ("Sample_of_Reported_Titles", "Reported Job Title", "reported"),
    ):
        path = need_file(folder, name)
        rows = table_rows(
            read_table(path, (CODE, column)), version=pl.lit(version), code=CODE, title=column, title_kind=pl.lit(kind)
        )
        files.append(path)
        staged.append(Staged("onet_titles", rows, (*_code(), required("title")), ("code", "title")))
    return files, staged


def _ratings(path: Path, domain: str, version: str) -> tuple[Staged, pl.DataFrame]:
    """One row per occupation × element with its importance and level; invalid records are quarantined
    before pairing."""
    raw = read_table(path, (CODE, "Element ID", "Element Name", "Scale ID", "Data Value")).with_columns(
        value=number("Data Value"), key=pl.concat_str(CODE, "Element ID", "Scale ID", separator="|")
    )
    records, rejects = screen(
        raw,
        (
            *_code(CODE),
            required("Element ID"),
            required("Element Name"),
            required("Scale ID"),
            one_of("Scale ID", list(SCALES), "O*NET scale for this file (IM or LV)"),
            parses("value", pl.col("Data Value"), "a number"),
            required("value"),
            between("value", 0, 7),
            unique("key"),
        ),
        (CODE, "Element ID", "Scale ID", "Data Value"),
    )
    pairs = records.group_by(CODE, "Element ID", maintain_order=True).agg(
        pl.col("Element Name").first(),
        pl.col(FILE).first(),
        pl.col(LINE).min(),
        *[pl.col("value").filter(pl.col("Scale ID") == scale).first().alias(name) for scale, name in SCALES.items()],
    )
    rows = table_rows(
        pairs,
        version=pl.lit(version),
        code=CODE,
        domain=pl.lit(domain),
        element_id="Element ID",
        element_name="Element Name",
        importance="importance",
        level="level",
        hot_technology=NO_FLAG,
        in_demand=NO_FLAG,
    )
    rules = (*_code(), required("element_name"), between("importance", 1, 5), between("level", 0, 7))
    return Staged("onet_elements", rows, rules, ("code", "element_id", "importance", "level")), rejects


def _technology(path: Path, version: str) -> tuple[Staged, pl.DataFrame]:
    raw = read_table(path, (CODE, "Example", "Hot Technology", "In Demand"), ("Commodity Code",))
    flags = ("Hot Technology", "In Demand")
    raw, rejects = screen(raw, [one_of(column, YES_NO, "Y/N flag") for column in flags], (CODE, "Example", *flags))
    rows = table_rows(
        raw,
        version=pl.lit(version),
        code=CODE,
        domain=pl.lit("technology"),
        element_id="Commodity Code",
        element_name="Example",
        importance=pl.lit(None, pl.Float64),
        level=pl.lit(None, pl.Float64),
        hot_technology=flag("Hot Technology", *YES_NO),
        in_demand=flag("In Demand", *YES_NO),
    )
    rules = (*_code(), required("element_name"))
    return Staged("onet_elements", rows, rules, ("code", "element_name")), rejects


def read_onet(folder: Path) -> Batch:
    match = FOLDER_NAME.match(folder.name)
    if match is None or not folder.is_dir():
        raise InputError(folder, "an O*NET release is a folder named like onet_29.2 (the version)")
    version = match["version"]
    files, occupations, zone_rejects = _occupations(folder, version)
    title_files, titles = _titles(folder, version)
    staged, rejects = [occupations, *titles], [zone_rejects]
    files += title_files
    for name, domain in RATINGS.items():
        path = need_file(folder, name)
        rows, bad = _ratings(path, domain, version)
        files.append(path)
        staged.append(rows)
        rejects.append(bad)
    path = need_file(folder, "Technology_Skills")
    rows, bad = _technology(path, version)
    files.append(path)
    version_rows = version_row("onet", version, ["en"], str(folder))
    staged += [rows, Staged("taxonomy_versions", version_rows, counted=False)]
    return Batch(
        "taxonomy", "onet", str(folder), files, file_checksum(files), staged, rejects=pl.concat([*rejects, bad])
    )


def _is_onet(path: Path) -> bool:
    return path.is_dir() and FOLDER_NAME.match(path.name) is not None


FORMATS = [
    Format(
        "onet",
        "taxonomy",
        "O*NET release folder of CSV files (onet_29.2: Occupation_Data, Skills, ...)",
        lambda folder: sorted(path for path in folder.iterdir() if _is_onet(path)),
        _is_onet,
        read_onet,
    ),
]
