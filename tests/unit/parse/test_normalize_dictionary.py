"""The shared lookups: label folding, units in headers, admin codes, unit factors, cities."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citytiers.parse.normalize.dictionary import (
    Dictionary,
    Unit,
    load_dictionary,
    normalize_code,
    normalize_label,
    split_unit,
)
from citytiers.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
UNIT_HEADER = "unit,base_unit,factor_to_base\n"


def seeds_with_units(tmp_path: Path, unit_rows: str) -> Path:
    """A copy of the seeds whose unit_factors.csv holds only ``unit_rows``."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "unit_factors.csv").write_text(UNIT_HEADER + unit_rows, encoding="utf-8")
    return seeds


# --------------------------------------------------------------------------- normalize_label


@pytest.mark.unit
@pytest.mark.parametrize(("printed", "folded"), [
    ("地区生产总值（万元）", "地区生产总值(万元)"),        # full-width brackets
    ("地区生产总值(万元)", "地区生产总值(万元)"),
    ("地区生产\n总值（万元）", "地区生产总值(万元)"),      # a header wrapped inside its cell
    (" 年末户籍 人口\r\n(万人) ", "年末户籍人口(万人)"),
    ("\u3000全市\u3000", "全市"),                         # ideographic spaces
    ("地區生產總值（萬元）", "地区生产总值(万元)"),        # traditional -> simplified
    ("蘇州市", "苏州市"),
    ("市轄區", "市辖区"),
    ("ＧＤＰ", "GDP"),                                     # full-width Latin
])
def test_normalize_label_folds_to_one_spelling(printed: str, folded: str) -> None:
    assert normalize_label(printed) == folded


# --------------------------------------------------------------------------- split_unit


@pytest.mark.unit
def test_split_unit_treats_full_and_half_width_brackets_alike() -> None:
    assert split_unit("地区生产总值（万元）") == ("地区生产总值", "万元")
    assert split_unit("地区生产总值(万元)") == ("地区生产总值", "万元")


@pytest.mark.unit
def test_split_unit_keeps_a_qualifier_in_the_name() -> None:
    assert split_unit("地区生产总值（当年价格）（万元）") == ("地区生产总值(当年价格)", "万元")
    assert split_unit("年末户籍人口 ( 万人 ) ") == ("年末户籍人口", "万人")


@pytest.mark.unit
def test_split_unit_without_brackets_has_no_unit() -> None:
    assert split_unit("全市") == ("全市", None)


# --------------------------------------------------------------------------- normalize_code


@pytest.mark.unit
@pytest.mark.parametrize("raw", [320500, "320500", 320500.0, "320500.0", " 320500 "])
def test_normalize_code_accepts_six_digits_however_stored(raw: object) -> None:
    assert normalize_code(raw) == "320500"


@pytest.mark.unit
@pytest.mark.parametrize("raw", ["32050", 32050, "3205000", "abc", "", None, 320500.5, "32O500"])
def test_normalize_code_rejects_anything_else(raw: object) -> None:
    assert normalize_code(raw) is None


# --------------------------------------------------------------------------- units


@pytest.mark.unit
@pytest.mark.parametrize(("label", "base_unit", "factor"), [
    ("万元", "yuan", 1e4),
    ("萬元", "yuan", 1e4),
    ("亿元", "yuan", 1e8),
    ("億元", "yuan", 1e8),
    ("元", "yuan", 1),
    ("万人", "persons", 1e4),
    ("萬人", "persons", 1e4),
    ("人", "persons", 1),
    ("%", "percent", 1),
    ("％", "percent", 1),
])
def test_unit_factors(dictionary: Dictionary, label: str, base_unit: str, factor: float) -> None:
    unit = dictionary.unit_for(label)
    assert unit is not None
    assert (unit.base_unit, unit.factor) == (base_unit, factor)


@pytest.mark.unit
def test_traditional_unit_spellings_share_the_simplified_label(dictionary: Dictionary) -> None:
    assert dictionary.unit_for("万元") == Unit("万元", "yuan", 1e4)
    assert dictionary.unit_for("萬元") == Unit("万元", "yuan", 1e4)
    assert dictionary.unit_for("萬人") == Unit("万人", "persons", 1e4)


@pytest.mark.unit
def test_unit_lookup_does_not_depend_on_seed_row_order(tmp_path: Path) -> None:
    rows = ["萬元,yuan,10000\n", "万元,yuan,10000\n"]
    first = load_dictionary(seeds_with_units(tmp_path / "a", "".join(rows)))
    second = load_dictionary(seeds_with_units(tmp_path / "b", "".join(reversed(rows))))
    assert first.units == second.units == {"万元": Unit("万元", "yuan", 1e4)}


@pytest.mark.unit
def test_spellings_of_one_unit_with_different_factors_are_refused(tmp_path: Path) -> None:
    seeds = seeds_with_units(tmp_path, "万元,yuan,10000\n萬元,yuan,1000\n")
    same_unit = r"unit_factors\.csv: unit '萬元' is the same unit as '万元'"
    with pytest.raises(ValueError, match=same_unit):
        load_dictionary(seeds)


@pytest.mark.unit
@pytest.mark.parametrize("label", ["美元", "平方公里", ""])
def test_unknown_units_are_none(dictionary: Dictionary, label: str) -> None:
    assert dictionary.unit_for(label) is None


# --------------------------------------------------------------------------- cities


@pytest.mark.unit
@pytest.mark.parametrize("printed", ["苏州", "苏州市", "蘇州市", "蘇州", " 苏州市 ", "苏 州"])
def test_city_code_for_resolves_printed_names(dictionary: Dictionary, printed: str) -> None:
    assert dictionary.city_code_for(printed) == "320500"


@pytest.mark.unit
@pytest.mark.parametrize("printed", ["火星市", "苏州地区", "江苏省", "", "全国"])
def test_city_code_for_never_guesses(dictionary: Dictionary, printed: str) -> None:
    assert dictionary.city_code_for(printed) is None


@pytest.mark.unit
def test_municipalities_and_two_character_names(dictionary: Dictionary) -> None:
    assert dictionary.city_code_for("北京") == "110000"
    assert dictionary.city_code_for("重慶市") == "500000"
    assert dictionary.city_code_for("吉林") == "220200"       # the city, not the province


@pytest.mark.unit
def test_indicator_and_scope_lookups_fold_labels(dictionary: Dictionary) -> None:
    gdp = dictionary.indicator_for("地區生產總值")
    assert gdp is not None and gdp.code == "gdp" and gdp.base_unit == "yuan"
    assert dictionary.indicator_for("地区生产总值（当年价格）").code == "gdp"
    assert dictionary.indicator_for("地区面积") is None
    assert dictionary.scope_for("市轄區") == "urban_districts"
    assert dictionary.scope_for(" 全 市 ") == "whole_city"


@pytest.mark.unit
@pytest.mark.parametrize(("number", "factor", "expected"), [
    (282.22, 10_000.0, 2_822_200.0),          # 万人 -> persons, exactly
    (17666.1, 1e8, 1_766_610_000_000.0),      # 亿元 -> yuan
    (0.07, 10_000.0, 700.0),
])
def test_unit_conversion_is_exact_in_decimal(number: float, factor: float,
                                             expected: float) -> None:
    from citytiers.parse.layouts.base import to_base_unit

    assert to_base_unit(number, factor) == expected
