"""features.regions: NUTS and ISO 3166-2 codes, subdivision names, and the fall-back to the country."""

import pytest

from features.regions import RegionCode, posting_region


def _coded(country: str, region: str | None) -> tuple[str, str, str, str]:
    found = posting_region(country, region)
    return found.region_code, found.region_level, found.country, found.basis


@pytest.mark.parametrize(
    ("country", "region", "expected"),
    [
        ("PL", "PL9", ("PL9", "nuts1", "PL", "nuts_code")),
        ("PL", "PL91", ("PL91", "nuts2", "PL", "nuts_code")),
        ("PL", "PL911", ("PL911", "nuts3", "PL", "nuts_code")),
        ("GR", "EL30", ("EL30", "nuts2", "GR", "nuts_code")),  # NUTS writes Greece EL
        ("EL", "EL303", ("EL303", "nuts3", "GR", "nuts_code")),  # EL as a country is read as GR
        ("GB", "UKI", ("UKI", "nuts1", "GB", "nuts_code")),
        ("UK", " UKI3 ", ("UKI3", "nuts2", "GB", "nuts_code")),
        ("DE", "DEZZZ", ("DEZZZ", "nuts3", "DE", "nuts_code")),  # extra-regio
    ],
)
def test_nuts_codes_of_the_posting_country(country: str, region: str, expected: tuple[str, ...]) -> None:
    assert _coded(country, region) == expected


def test_iso_3166_2_codes_known_to_pycountry() -> None:
    assert _coded("PL", "PL-14") == ("PL-14", "iso3166_2", "PL", "iso_code")
    assert _coded("pl", "pl-14") == ("PL-14", "iso3166_2", "PL", "iso_code")
    assert _coded("PL", "PL-99") == ("PL", "country", "PL", "unmatched")  # no such subdivision


def test_subdivision_names_ignore_case_accents_and_punctuation() -> None:
    assert _coded("LV", "Riga") == ("LV-RIX", "iso3166_2", "LV", "name")  # pycountry: Rīga
    assert _coded("LV", "RĪGA") == ("LV-RIX", "iso3166_2", "LV", "name")
    assert _coded("PL", "mazowieckie") == ("PL-14", "iso3166_2", "PL", "name")
    assert _coded("HU", "Budapest") == ("HU-BU", "iso3166_2", "HU", "name")
    assert _coded("PL", "kujawsko pomorskie") == ("PL-04", "iso3166_2", "PL", "name")  # "Kujawsko-Pomorskie"


def test_ambiguous_and_unknown_names_give_the_country() -> None:
    assert _coded("BG", "Sofia") == ("BG", "country", "BG", "ambiguous")  # "Sofia" and "Sofia (stolitsa)"
    assert _coded("PT", "Mainland Portugal") == ("PT", "country", "PT", "unmatched")  # a NUTS name
    assert _coded("RO", "Macroregion Three") == ("RO", "country", "RO", "unmatched")
    assert _coded("PT", "Lisbon") == ("PT", "country", "PT", "unmatched")  # pycountry has "Lisboa" only
    assert _coded("EE", "EESTI") == ("EE", "country", "EE", "unmatched")  # looks like a code, is a name


def test_no_region_or_the_country_name() -> None:
    assert posting_region("CY", None) == RegionCode("CY", "country", "CY", "none")
    assert _coded("CY", "  ") == ("CY", "country", "CY", "none")
    assert _coded("LV", "Latvia") == ("LV", "country", "LV", "none")


def test_never_a_region_of_another_country() -> None:
    assert _coded("PT", "Bavaria") == ("PT", "country", "PT", "unmatched")
    assert _coded("PT", "Berlin") == ("PT", "country", "PT", "unmatched")  # a German subdivision name
    assert _coded("PT", "DE21") == ("PT", "country", "PT", "other_country")
    assert _coded("PT", "DE-BY") == ("PT", "country", "PT", "other_country")
    assert _coded("GR", "GR30") == ("GR", "country", "GR", "unmatched")  # not a NUTS code: Greece is EL
