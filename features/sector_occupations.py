"""Sectors to ESCO occupations (pure polars): the occupation mix of an official sector series, which
features/official_demand.py then spreads over skills like a BA occupation group.

- Indeed occupational sectors: Indeed's example job titles of each sector, coded to ESCO occupations by the
  project's title coder (features/occupations.py), each coded title weighing the same. A sector without
  examples, or none of whose examples code, has its own name tried as a title; a sector that still codes to
  nothing is reported, never dropped silently.
- ONS SIC 2007 sections: there is no industry x occupation table in the inputs. Each section is characterised
  by O*NET knowledge areas (`SIC_KNOWLEDGE`, authored: which areas, not how much); an O*NET occupation's weight in
  the section is how far above "important" (3 on O*NET's 1-5 importance scale) its own rated importance of those
  areas is: for a profile naming several areas, the smallest of the excesses (the occupation needs them all);
  over several profiles, the sum. O*NET occupations reach ESCO occupations through the ESCO-O*NET crosswalk,
  an O*NET occupation's weight split equally over the ESCO occupations mapped to it.
"""

from __future__ import annotations

import polars as pl

from features.occupations import OccupationLexicon, title_occupation
from features.official_demand import normalized_weights
from features.panel import exact_sum

IMPORTANT = 3.0  # O*NET importance scale: 1 not important, 2 somewhat, 3 important, 4 very, 5 extremely
# SIC 2007 section -> its knowledge profiles; a profile is the O*NET knowledge areas an occupation needs all of.
# Chosen as the areas the section's own trades are rated highest on relative to other occupations; sections B,
# D, E, M, N and S are only partly characterised (see the README's panel section).
SIC_KNOWLEDGE: dict[str, tuple[tuple[str, ...], ...]] = {
    "B": (("Mechanical", "Building and Construction"),),  # mining and quarrying: extraction and plant trades
    "C": (("Production and Processing",),),  # manufacturing
    "D": (("Physics", "Mechanical"),),  # electricity, gas, steam: power plant operators, technicians, engineers
    "E": (("Chemistry", "Mechanical"),),  # water, sewerage, waste: treatment plant and chemical operators
    "F": (("Building and Construction",),),  # construction
    "G": (("Sales and Marketing",),),  # wholesale and retail trade
    "H": (("Transportation",),),  # transportation and storage
    "I": (("Food Production", "Customer and Personal Service"),),  # accommodation and food service
    "J": (("Computers and Electronics",), ("Telecommunications",), ("Communications and Media",)),  # information
    "K": (("Economics and Accounting",),),  # financial and insurance activities
    "L": (("Economics and Accounting", "Sales and Marketing"),),  # real estate
    "M": (("Engineering and Technology",), ("Design",), ("Law and Government", "Economics and Accounting")),
    "N": (("Administrative",),),  # administrative and support services
    "O": (("Law and Government",), ("Public Safety and Security",)),  # public administration and defence
    "P": (("Education and Training",),),  # education
    "Q": (("Medicine and Dentistry",), ("Therapy and Counseling",)),  # human health and social work
    "R": (("Fine Arts",),),  # arts, entertainment and recreation
    "S": (("Customer and Personal Service", "Mechanical"),),  # other services: the repair trades
}


def knowledge_table(table: dict[str, tuple[tuple[str, ...], ...]]) -> pl.DataFrame:
    """class_code, profile (its number in the section), area, areas (how many the profile names)."""
    rows = [(code, number, area, len(profile)) for code, profiles in table.items()
            for number, profile in enumerate(profiles) for area in profile]  # fmt: skip
    return pl.DataFrame(rows, schema=["class_code", "profile", "area", "areas"], orient="row")


def knowledge_weights(ratings: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Weight of each O*NET occupation in each section (before normalisation).

    ratings: onet_code, area, importance (O*NET knowledge ratings); table: `knowledge_table`.
    Returns class_code, onet_code, weight (> 0 only)."""
    return (
        table.join(ratings, on="area")
        .with_columns(excess=(pl.col("importance") - IMPORTANT).clip(lower_bound=0))
        .group_by("class_code", "profile", "onet_code")
        .agg(pl.col("excess").min(), pl.len().alias("rated"), pl.col("areas").first())
        .filter(pl.col("rated") == pl.col("areas"))  # an occupation not rated on every area of a profile: none
        .group_by("class_code", "onet_code")
        .agg(exact_sum(pl.col("excess")).alias("weight"))
        .filter(pl.col("weight") > 0)
        .sort("class_code", "onet_code")
    )


def onet_occupation_weights(weights: pl.DataFrame, crosswalk: pl.DataFrame) -> pl.DataFrame:
    """O*NET occupation weights carried to ESCO occupations; each class's weights sum to 1.

    weights: class_code, onet_code, weight; crosswalk: occupation_uri, onet_code (ESCO -> O*NET).
    Returns class_code, occupation_uri, weight."""
    split = (
        crosswalk.select("occupation_uri", "onet_code").unique().with_columns(split=1.0 / pl.len().over("onet_code"))
    )
    linked = weights.join(split, on="onet_code").with_columns(weight=pl.col("weight") * pl.col("split"))
    return normalized_weights(linked.select("class_code", "occupation_uri", "weight"))


def sector_titles(examples: pl.DataFrame, sectors: pl.Series) -> pl.DataFrame:
    """The example titles of each sector in `sectors` (examples: class_code, job_titles, comma-separated).
    Returns class_code, title, basis ('example')."""
    return (
        examples.filter(pl.col("class_code").is_in(sectors.implode()))
        .select("class_code", title=pl.col("job_titles").str.split(","))
        .explode("title")
        .with_columns(pl.col("title").str.strip_chars())
        .filter(pl.col("title") != "")
        .unique()
        .with_columns(basis=pl.lit("example"))
        .sort("class_code", "title")
    )


def coded_titles(titles: pl.DataFrame, lexicon: OccupationLexicon) -> pl.DataFrame:
    """titles (class_code, title, basis) with the ESCO occupation the title codes to (occupation_uri, null when
    it codes to none)."""
    matches = {title: title_occupation(title, lexicon) for title in titles["title"].unique()}
    codes = {title: match.occupation_uri if match else None for title, match in matches.items()}
    return titles.with_columns(occupation_uri=pl.col("title").replace_strict(codes, return_dtype=pl.String))


def name_titles(coded: pl.DataFrame, sectors: pl.Series) -> pl.DataFrame:
    """For each sector in `sectors` none of whose titles in `coded` has an occupation: its own name as the title.
    Returns class_code, title, basis ('sector name')."""
    done = set(coded.filter(pl.col("occupation_uri").is_not_null())["class_code"].to_list())
    left = sorted(set(sectors.to_list()) - done)
    schema = {"class_code": pl.String, "title": pl.String, "basis": pl.String}
    return pl.DataFrame({"class_code": left, "title": left, "basis": ["sector name"] * len(left)}, schema=schema)


def title_weights(coded: pl.DataFrame) -> pl.DataFrame:
    """Each coded title of a sector weighs the same: class_code, occupation_uri, weight (a class's weights sum
    to 1; uncoded titles left out)."""
    found = coded.filter(pl.col("occupation_uri").is_not_null())
    return normalized_weights(found.select("class_code", "occupation_uri", weight=pl.lit(1.0)))


def unmapped_sectors(weights: pl.DataFrame, sectors: pl.Series) -> list[str]:
    """The sectors of `sectors` without any occupation weight, sorted."""
    return sorted(set(sectors.to_list()) - set(weights["class_code"].to_list()))
