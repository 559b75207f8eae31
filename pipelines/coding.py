"""`moocast code`: occupation, region and sector of every posting not yet coded, in one transaction; and
`moocast eval-occupations`: title -> occupation accuracy on O*NET alternate titles through the ESCO-O*NET
crosswalk.

A posting's language is the one found by `moocast extract` (posting_languages), else the one it states, else
English. Its title is coded with the ESCO occupation labels of that language; when the warehouse has none for
it, EURES's English title (title_en) is coded with the English labels; otherwise the occupation stays unknown.
Postings are coded once: re-running codes only new postings (a newer ESCO version does not recode)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from features.occupations import (
    OccupationLexicon,
    occupation_entries,
    occupation_lexicon,
    occupation_scores,
    title_key,
    title_occupation,
)
from features.regions import posting_region
from features.sectors import SCHEME, sector_section
from pipelines.warehouse import insert_frame, latest_version, transaction


def latest_occupation_version(con: duckdb.DuckDBPyConnection) -> str:
    version = latest_version(con, "occupations")
    if version is None:
        raise ValueError("the warehouse holds no ESCO occupations: run `moocast ingest taxonomy` first")
    return version


def occupation_languages(con: duckdb.DuckDBPyConnection, version: str) -> set[str]:
    """Languages with ESCO occupation labels in the warehouse for `version`."""
    rows = con.execute(
        "SELECT DISTINCT lang FROM concept_labels WHERE concept_kind = 'occupation' AND version = ?", [version]
    ).fetchall()
    return {row[0] for row in rows}


def esco_occupation_lexicon(con: duckdb.DuckDBPyConnection, lang: str, version: str) -> OccupationLexicon:
    """The occupation lexicon of `lang` from the warehouse's ESCO labels of `version`."""
    labels = con.sql(
        "SELECT l.uri, o.isco_group, l.label_type, l.label FROM concept_labels l "
        "JOIN occupations o USING (version, uri) WHERE l.concept_kind = 'occupation' AND l.version = ? "
        "AND l.lang = ? AND o.isco_group IS NOT NULL ORDER BY l.uri, l.label_type, l.label",
        params=[version, lang],
    ).pl()
    return occupation_lexicon(occupation_entries(labels), lang)


# What a coding reads of a posting (the description too: the detected language comes from it); a posting
# reloaded with other values is coded again (migration 17 backfills posting_codes.input_hash with the same)
CODING_INPUT = "hash(p.title, p.description, p.title_en, p.country, p.region, p.sector, p.language)"


def _pending(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(
        "SELECT p.posting_key, p.title, p.title_en, p.country, p.region, p.sector, "
        f"coalesce(l.language, p.language, 'en') AS language, {CODING_INPUT} AS input_hash FROM postings p "
        "LEFT JOIN posting_languages l USING (posting_key) WHERE NOT EXISTS (SELECT 1 FROM posting_codes c "
        f"WHERE c.posting_key = p.posting_key AND c.input_hash = {CODING_INPUT}) ORDER BY p.posting_key"
    ).pl()


def _occupations(postings: pl.DataFrame, lexicons: dict[str, OccupationLexicon]) -> tuple[pl.DataFrame, Counter[str]]:
    """occupation_uri, isco_code, occupation_confidence of each posting, and how each posting was coded."""
    rows: list[tuple[str | None, str | None, float | None]] = []
    how = Counter[str]()
    for title, title_en, lang in postings.select("title", "title_en", "language").iter_rows():
        if lang in lexicons:
            text, lexicon, source = title, lexicons[lang], lang
        elif title_en and "en" in lexicons:
            text, lexicon, source = title_en, lexicons["en"], f"{lang} via title_en"
        else:
            rows.append((None, None, None))
            how[f"{lang}: no labels"] += 1
            continue
        match = title_occupation(text, lexicon)
        how[f"{source}: {match.method if match else 'no match'}"] += 1
        rows.append((match.occupation_uri, match.isco_group, match.confidence) if match else (None, None, None))
    schema = {"occupation_uri": pl.String, "isco_code": pl.String, "occupation_confidence": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row"), how


def _regions(postings: pl.DataFrame) -> tuple[pl.DataFrame, Counter[str]]:
    """region_code, region_level, country of each posting, and the basis of each coding."""
    places = {
        (country, region): posting_region(country, region)
        for country, region in postings.select("country", "region").unique().iter_rows()
    }
    regions = [places[(country, region)] for country, region in postings.select("country", "region").iter_rows()]
    frame = pl.DataFrame(
        [(r.region_code, r.region_level, r.country) for r in regions],
        schema={"region_code": pl.String, "region_level": pl.String, "country": pl.String},
        orient="row",
    )
    return frame, Counter(r.basis for r in regions)


def code_postings(con: duckdb.DuckDBPyConnection, version: str | None = None) -> dict[str, Any]:
    """Code the pending postings; returns counts (coded, with occupation, region below country, sector, and
    `removed`: postings no longer in the warehouse whose codes were deleted)."""
    version = version or latest_occupation_version(con)
    postings = _pending(con)
    needed = set(postings["language"]) | ({"en"} if postings["title_en"].is_not_null().any() else set())
    lexicons = {
        lang: esco_occupation_lexicon(con, lang, version)
        for lang in occupation_languages(con, version)
        if lang in needed
    }
    occupations, how = _occupations(postings, lexicons)
    regions, basis = _regions(postings)
    sectors = pl.Series("sector_code", [sector_section(s) for s in postings["sector"]], dtype=pl.String)
    codes = pl.concat(
        [postings.select("posting_key", "input_hash"), occupations, regions], how="horizontal"
    ).with_columns(
        sectors,
        sector_scheme=pl.when(sectors.is_not_null()).then(pl.lit(SCHEME)),
        coded_at=pl.lit(datetime.now(), dtype=pl.Datetime("us")),
    )
    with transaction(con):  # codes of postings since reloaded with other values, or gone, are replaced or deleted
        con.register("pending_keys", codes.select("posting_key").to_arrow())
        con.execute("DELETE FROM posting_codes WHERE posting_key IN (SELECT posting_key FROM pending_keys)")
        con.unregister("pending_keys")
        removed = con.execute(
            "DELETE FROM posting_codes WHERE posting_key NOT IN (SELECT posting_key FROM postings)"
        ).fetchall()[0][0]
        insert_frame(con, "posting_codes", codes)
    return {
        "taxonomy_version": version,
        "coded": codes.height,
        "with_occupation": codes["occupation_uri"].is_not_null().sum(),
        "with_region_below_country": (codes["region_level"] != "country").sum(),
        "with_sector": codes["sector_code"].is_not_null().sum(),
        "occupation_coding": dict(sorted(how.items())),
        "region_basis": dict(sorted(basis.items())),
        "removed": removed,
    }


def occupation_accuracy(con: duckdb.DuckDBPyConnection, version: str | None = None) -> dict[str, Any]:
    """Title -> occupation accuracy with the English ESCO labels, on the O*NET alternate titles of the latest
    O*NET version whose code the ESCO-O*NET crosswalk maps to ESCO occupations (see occupation_scores).

    `titles_equal_to_a_label` is the share of those titles that are literally an ESCO English label (after
    normalisation): ESCO's alternative labels and O*NET's titles overlap, which flatters a label matcher."""
    version = version or latest_occupation_version(con)
    crosswalk = con.sql(
        "SELECT DISTINCT c.to_code AS code, c.from_code AS occupation_uri, o.isco_group FROM crosswalks c "
        "JOIN occupations o ON o.uri = c.from_code AND o.version = ? "
        "WHERE c.crosswalk = 'esco_onet' AND o.isco_group IS NOT NULL",
        params=[version],
    ).pl()
    titles = con.sql(
        "SELECT t.title, t.code FROM onet_titles t WHERE t.title_kind = 'alternate' AND t.version = ? "
        "ORDER BY t.code, t.title",
        params=[latest_version(con, "onet_titles")],
    ).pl()
    if crosswalk.height == 0 or titles.height == 0:
        raise ValueError("the warehouse needs ESCO, O*NET and the ESCO-O*NET crosswalk: run `moocast ingest taxonomy`")
    lexicon = esco_occupation_lexicon(con, "en", version)
    matches = [title_occupation(title, lexicon) for title in titles["title"]]
    predictions = titles.with_columns(
        occupation_uri=pl.Series([m.occupation_uri if m else None for m in matches], dtype=pl.String),
        isco_group=pl.Series([m.isco_group if m else None for m in matches], dtype=pl.String),
        method=pl.Series([m.method if m else None for m in matches], dtype=pl.String),
    )
    scores: dict[str, Any] = {"taxonomy_version": version, **occupation_scores(predictions, crosswalk)}
    evaluated = predictions.join(crosswalk.select("code").unique(), on="code", how="semi")
    literal = sum(lexicon.automaton.exists(f" {title_key(title)} ") for title in evaluated["title"])
    scores["titles_equal_to_a_label"] = round(literal / evaluated.height, 4)
    return scores
