"""features.sectors: NACE Rev. 2 sections from letters, names and division codes."""

import pytest

from features.sectors import NACE_SECTIONS, SECTION_DIVISIONS, division_section, sector_section


def test_the_21_sections() -> None:
    assert list(NACE_SECTIONS) == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert list(SECTION_DIVISIONS) == list(NACE_SECTIONS)
    assert NACE_SECTIONS["J"] == "Information and communication"


@pytest.mark.parametrize(
    ("sector", "section"),
    [
        ("J", "J"),
        (" q ", "Q"),
        ("Section C", "C"),
        ("Information and communication", "J"),
        ("  HUMAN HEALTH  and social work activities", "Q"),
        ("Public administration and defence; compulsory social security", "O"),
        ("62", "J"),
        ("62.01", "J"),
        ("01.11", "A"),
        ("J62", "J"),
        ("C10.1", "C"),
        ("99", "U"),
    ],
)
def test_recognised_forms(sector: str, section: str) -> None:
    assert sector_section(sector) == section


@pytest.mark.parametrize(
    "sector",
    [None, "", "V", "Cloud, DevOps & Systems Engineering", "Software Engineering", "04", "34", "C62", "Information"],
)
def test_anything_else_is_unknown(sector: str | None) -> None:
    assert sector_section(sector) is None


def test_every_division_has_one_section() -> None:
    assert division_section(35) == "D" and division_section(68) == "L" and division_section(97) == "T"
    assert sum(division_section(d) is not None for d in range(1, 100)) == 88  # NACE Rev. 2 has 88 divisions
