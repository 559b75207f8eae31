"""A posting's region -> (region_code, region_level, country), from its country and free-text or coded region.

In order:
1. a NUTS code of the posting's country (NUTS writes Greece EL and the United Kingdom UK): upper case, the
   country prefix then 1 to 3 characters; 4- and 5-character codes need a digit or the extra-regio Z after the
   prefix, so that a name such as "EESTI" is not read as a code. Level nuts1/nuts2/nuts3 by length.
2. an ISO 3166-2 code of the posting's country that pycountry knows ("PL-14", any case) -> iso3166_2.
3. a name equal, ignoring case, accents and punctuation, to exactly one pycountry subdivision name of the
   posting's country ("Riga" = "Rīga" -> LV-RIX); a parenthesised qualifier may be left out, so "Sofia" equals
   both "Sofia" and "Sofia (stolitsa)" and is ambiguous. No partial matches, translations or exonyms: "Lisbon"
   is not "Lisboa", "Zagreb" is not "Grad Zagreb", and NUTS names ("Mainland Portugal", "Macroregion Three")
   are not in pycountry.
4. otherwise the country itself (region_code = the ISO 3166-1 code, level 'country').

A region is never guessed in another country: a NUTS or ISO 3166-2 code of another country gives the
posting's country with the basis `other_country`; a name that is no subdivision of the posting's country
("Bavaria" or "Berlin" on a Portuguese posting) gives the posting's country with the basis `unmatched`. Names
are not checked against other countries' subdivisions: pycountry has "Bayern", not "Bavaria", and generic
names ("Central", "North") are subdivisions somewhere, so such a flag would be both incomplete and wrong.
pycountry's names are in the local language and can name a unit of another level than the source meant
(EURES "Vilnius" is pycountry's Vilnius district municipality LT-58, not the city LT-57).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import pycountry

NUTS_PREFIX = {"GR": "EL", "GB": "UK"}
ISO_COUNTRY = {"EL": "GR", "UK": "GB"}
NUTS_LEVELS = {3: "nuts1", 4: "nuts2", 5: "nuts3"}
_NUTS = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,3}$")
_ISO_3166_2 = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*")


@dataclass(frozen=True)
class RegionCode:
    region_code: str  # NUTS or ISO 3166-2 code, or the ISO 3166-1 country code at level 'country'
    region_level: str  # nuts1 | nuts2 | nuts3 | iso3166_2 | country
    country: str  # ISO 3166-1 alpha-2
    basis: str  # nuts_code | iso_code | name | none (no region, or the country's name) | unmatched | ambiguous
    # | other_country


def name_key(name: str) -> str:
    """A place name compared without case, accents or punctuation."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[^\W_]+", folded.casefold()))


@cache
def _subdivision_names(country: str) -> dict[str, frozenset[str]]:
    """Name key -> the subdivision codes of `country` with that name (or that name without its qualifier)."""
    names: dict[str, set[str]] = defaultdict(set)
    for subdivision in pycountry.subdivisions.get(country_code=country) or []:
        for name in {subdivision.name, _QUALIFIER.sub(" ", subdivision.name)}:
            if key := name_key(name):
                names[key].add(subdivision.code)
    return {key: frozenset(codes) for key, codes in names.items()}


def _nuts_code(text: str, prefix: str) -> str | None:
    """`text` when it looks like a NUTS code of the country written `prefix`."""
    if not _NUTS.match(text) or text[:2] != prefix:
        return None
    rest = text[2:]
    return text if len(rest) == 1 or any(c.isdigit() for c in rest) or rest.startswith("Z") else None


def _is_foreign_code(text: str, country: str, prefix: str) -> bool:
    """Whether `text` is an ISO 3166-2 code pycountry knows, or a NUTS code with a digit, of another country."""
    upper = text.upper()
    if _ISO_3166_2.match(upper):
        return upper[:2] != country and pycountry.subdivisions.get(code=upper) is not None
    other = text[:2]
    return (
        other != prefix
        and other in _nuts_prefixes()
        and any(c.isdigit() for c in text[2:])
        and (_nuts_code(text, other) is not None)
    )


@cache
def _nuts_prefixes() -> frozenset[str]:
    return frozenset({NUTS_PREFIX.get(c.alpha_2, c.alpha_2) for c in pycountry.countries})


@cache
def _country_names(country: str) -> frozenset[str]:
    """Name keys of a country (its name, common and official names)."""
    found = pycountry.countries.get(alpha_2=country)
    names = (getattr(found, attr, None) for attr in ("name", "common_name", "official_name"))
    return frozenset(name_key(name) for name in names if name)


def posting_region(country: str, region: str | None) -> RegionCode:
    """The region of a posting of `country` (ISO 3166-1 alpha-2; EL and UK read as GR and GB)."""
    country = ISO_COUNTRY.get(country.upper(), country.upper())
    prefix = NUTS_PREFIX.get(country, country)
    text = (region or "").strip()
    upper, key = text.upper(), name_key(text)
    if code := _nuts_code(text, prefix):
        return RegionCode(code, NUTS_LEVELS[len(code)], country, "nuts_code")
    if _ISO_3166_2.match(upper) and upper[:2] == country and pycountry.subdivisions.get(code=upper) is not None:
        return RegionCode(upper, "iso3166_2", country, "iso_code")
    codes = _subdivision_names(country).get(key, frozenset())
    if len(codes) == 1:
        return RegionCode(next(iter(codes)), "iso3166_2", country, "name")
    if codes:
        basis = "ambiguous"
    elif not key or key in _country_names(country):
        basis = "none"
    elif _is_foreign_code(text, country, prefix):
        basis = "other_country"
    else:
        basis = "unmatched"
    return RegionCode(country, "country", country, basis)
