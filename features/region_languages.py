"""The languages spoken in a region: its country's official languages (pure).

A panel region is a code and a level (series_attributes.region, region_level). Its country:
  district                      a German Kreis (BA statistics, 5-digit AGS code)    -> DE
  country, country_group        the code itself (EL, UK read as GR, GB); EA (euro area) has no language
  nuts1, nuts2, nuts3           the NUTS code's 2-letter prefix (EL -> GR, UK -> GB)
  iso3166_2                     the part before the hyphen (PL-14 -> PL)
  uk_region, city               GB (Indeed's UK regions and cities)
  us_state, ca_province         US, CA
The languages are the country's official languages at national level (ISO 639-1), most spoken first. Regional
co-official languages (Catalan, Basque, Welsh, Frisian, Sorbian, ...) are not listed: a course in them reaches
only part of the country, and the catalogues hold none. Irish and Maltese are official but most of their
speakers also read English, which is listed too.
"""

from __future__ import annotations

import polars as pl

from features.regions import ISO_COUNTRY

COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "AT": ("de",),
    "BE": ("nl", "fr", "de"),
    "BG": ("bg",),
    "CA": ("en", "fr"),
    "CH": ("de", "fr", "it"),
    "CY": ("el", "tr"),
    "CZ": ("cs",),
    "DE": ("de",),
    "DK": ("da",),
    "EE": ("et",),
    "ES": ("es",),
    "FI": ("fi", "sv"),
    "FR": ("fr",),
    "GB": ("en",),
    "GR": ("el",),
    "HR": ("hr",),
    "HU": ("hu",),
    "IE": ("en", "ga"),
    "IS": ("is",),
    "IT": ("it",),
    "LI": ("de",),
    "LT": ("lt",),
    "LU": ("lb", "fr", "de"),
    "LV": ("lv",),
    "MT": ("mt", "en"),
    "NL": ("nl",),
    "NO": ("no",),
    "PL": ("pl",),
    "PT": ("pt",),
    "RO": ("ro",),
    "SE": ("sv",),
    "SI": ("sl",),
    "SK": ("sk",),
    "US": ("en",),
}
_LEVEL_COUNTRY = {"district": "DE", "uk_region": "GB", "city": "GB", "us_state": "US", "ca_province": "CA"}


def region_country(region: str, region_level: str) -> str:
    """The ISO 3166-1 country of a panel region (see the module docstring); ValueError for an unknown level."""
    if region_level in _LEVEL_COUNTRY:
        return _LEVEL_COUNTRY[region_level]
    if region_level in ("country", "country_group"):
        code = region
    elif region_level in ("nuts1", "nuts2", "nuts3"):
        code = region[:2]
    elif region_level == "iso3166_2":
        code = region.split("-")[0]
    else:
        raise ValueError(f"region level {region_level!r} of region {region!r} has no known country")
    return ISO_COUNTRY.get(code, code)


def region_languages(regions: pl.DataFrame) -> pl.DataFrame:
    """regions: region, region_level -> region, region_level, country, language (one row per language spoken;
    a region of a country without listed languages, such as the euro area, gets none)."""
    pairs = regions.select("region", "region_level").unique().sort("region", "region_level")
    countries = [region_country(r, level) for r, level in pairs.iter_rows()]
    return (
        pairs.with_columns(country=pl.Series(countries, dtype=pl.String))
        .with_columns(
            language=pl.col("country").replace_strict(
                {country: list(languages) for country, languages in COUNTRY_LANGUAGES.items()},
                default=[],
                return_dtype=pl.List(pl.String),
            )
        )
        .explode("language")
        .drop_nulls("language")
    )
