"""CSV forms publishers really produce: CR-only line endings, semicolons, and Excel's
"Unicode text" (UTF-16 with a byte-order mark, tab-separated). Named cases in
tests/cases/good/, each checked value by value."""

from __future__ import annotations

from pathlib import Path

import pytest

from citytiers.parse.normalize.dictionary import Dictionary
from citytiers.parse.release import parse_release

GOOD = Path(__file__).resolve().parents[2] / "cases" / "good"
TIDY = {("320500", "gdp", "whole_city", 1571681000000.0, 2, "F"),
        ("320100", "gdp", "whole_city", 1690785000000.0, 3, "F"),
        ("320200", "population_resident", "whole_city", 7490800.0, 4, "F")}


def cells(name: str, dictionary: Dictionary) -> tuple[str, set[tuple]]:
    parsed = parse_release(GOOD / name, dictionary)
    frame = parsed.observations
    return parsed.file_format, set(zip(frame.city_code, frame.indicator_code, frame.scope,
                                       frame.value, frame.source_row, frame.source_column,
                                       strict=True))


@pytest.mark.unit
@pytest.mark.parametrize("name", ["cr_line_endings.csv", "semicolon_separated.csv"])
def test_tidy_csv_dialects(name: str, dictionary: Dictionary) -> None:
    raw = (GOOD / name).read_bytes()
    assert (b"\r\n" not in raw and b"\r" in raw) if name.startswith("cr_") else b";" in raw
    assert cells(name, dictionary) == ("tidy_csv", TIDY)


@pytest.mark.unit
def test_excel_unicode_text(dictionary: Dictionary) -> None:
    assert (GOOD / "excel_unicode_text.csv").read_bytes()[:2] == b"\xff\xfe"  # UTF-16 LE
    assert cells("excel_unicode_text.csv", dictionary) == ("yearbook_table", {
        ("320500", "gdp", "whole_city", 1571681000000.0, 4, "C"),
        ("320500", "population_registered", "whole_city", 10829000.0, 4, "E"),
        ("320100", "gdp", "whole_city", 1359518000000.0, 5, "C"),
        ("320100", "gdp", "urban_districts", 826562740000.0, 5, "D"),
        ("320100", "population_registered", "whole_city", 14580300.0, 5, "E"),
    })
