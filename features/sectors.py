"""A posting's sector -> NACE Rev. 2 section letter (UK SIC 2007 has the same sections and letters).

Recognised: a section letter ("J", any case, optionally "Section J"), a section's official English name (case
and spacing ignored), a division code of two digits, optionally with its group and class ("62", "62.01") or
prefixed by its section ("J62"). Anything else, e.g. EURES's "Cloud, DevOps & Systems Engineering", is
unknown (None): such free-text fields are not guessed.
"""

from __future__ import annotations

import re

SCHEME = "nace"
NACE_SECTIONS = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management and remediation activities",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    "H": "Transportation and storage",
    "I": "Accommodation and food service activities",
    "J": "Information and communication",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support service activities",
    "O": "Public administration and defence; compulsory social security",
    "P": "Education",
    "Q": "Human health and social work activities",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers; undifferentiated goods- and services-producing activities of "
    "households for own use",
    "U": "Activities of extraterritorial organisations and bodies",
}
# The divisions (first and last, inclusive) of each section.
# fmt: off
SECTION_DIVISIONS = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43), "G": (45, 47),
    "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68), "M": (69, 75), "N": (77, 82),
    "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93), "S": (94, 96), "T": (97, 98), "U": (99, 99),
}
# fmt: on
_CODE = re.compile(r"^(?:section\s+)?([a-u])$|^([a-u])?\s*(\d{2})(?:\.\d{1,2}){0,2}$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _name_key(name: str) -> str:
    return _SPACES.sub(" ", name.strip().casefold())


_BY_NAME = {_name_key(name): letter for letter, name in NACE_SECTIONS.items()}


def division_section(division: int) -> str | None:
    """The section of a NACE division number, None for numbers that are no division (e.g. 4, 34)."""
    return next((s for s, (first, last) in SECTION_DIVISIONS.items() if first <= division <= last), None)


def sector_section(sector: str | None) -> str | None:
    """The NACE section letter of a posting's sector field, or None when it is none of the recognised forms."""
    if sector is None:
        return None
    text = sector.strip()
    if found := _CODE.match(text):
        letter, prefix, division = found.groups()
        if letter:
            return letter.upper()
        section = division_section(int(division))
        return section if prefix is None or prefix.upper() == section else None
    return _BY_NAME.get(_name_key(text))
