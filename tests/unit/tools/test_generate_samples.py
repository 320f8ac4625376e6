"""The bundled SYNTHETIC sample releases and the city reference seed.

Checks that every sample is labelled synthetic, that every city code and name printed
anywhere (seed included) is the one in force at end-2023 (against ``../shared/data``),
that the generator is deterministic, and that the samples cover what the pipeline needs.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import defaultdict
from pathlib import Path

import opencc
import pytest
import yaml
from python_calamine import CalamineWorkbook

from tools import generate_samples as generate

REPO_ROOT = Path(__file__).resolve().parents[3]
RELEASES_DIR = REPO_ROOT / "src" / "citytiers" / "samples" / "releases"
CITY_REFERENCE = REPO_ROOT / "dbt_project" / "seeds" / "city_reference.csv"
SIDECAR_SUFFIX = ".release.yml"

TIDY_HEADER = ["city_code", "city_name", "data_year", "indicator", "scope", "value", "unit"]
CODE_HEADERS = {"代码", "行政区划代码", "city_code"}
NAME_HEADERS = {"城市", "地区", "city_name"}
SCOPE_LABELS = {"全市", "市辖区", "城区"}
SUBTOTAL_NAMES = {"全国", "全省", "合计"}
FOOTNOTE_PREFIXES = ("注", "资料来源")
SYNTHETIC_MARKERS = ("合成样例数据", "synthetic sample")
GDP_UNIT_TO_YI = {"万元": 1e-4, "亿元": 1.0}
MUNICIPALITIES = {"110000": "北京市", "120000": "天津市", "310000": "上海市", "500000": "重庆市"}
CAPITALS = {"石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州",
            "南昌", "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口", "成都", "贵阳", "昆明",
            "拉萨", "西安", "兰州", "西宁", "银川", "乌鲁木齐"}

T2S = opencc.OpenCC("t2s")


# --------------------------------------------------------------------------- helpers


def data_files() -> list[Path]:
    """The sample data files (everything in the releases folder but the sidecars)."""
    return sorted(p for p in RELEASES_DIR.iterdir()
                  if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX))


def sidecar(path: Path) -> dict:
    return yaml.safe_load(path.with_name(path.name + SIDECAR_SUFFIX).read_text(encoding="utf-8"))


def normalize(text: object) -> str:
    """NFKC, no white space, traditional -> simplified."""
    folded = unicodedata.normalize("NFKC", str(text))
    return T2S.convert("".join(folded.split()))


def read_rows(path: Path) -> list[list[object]]:
    """All rows of a CSV, or of every sheet of an XLSX (sheets concatenated)."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [list(row) for row in csv.reader(handle)]
    workbook = CalamineWorkbook.from_path(str(path))
    rows: list[list[object]] = []
    for name in workbook.sheet_names:
        rows += workbook.get_sheet_by_name(name).to_python()
    return rows


def read_sheets(path: Path) -> dict[str, list[list[object]]]:
    """Sheet name -> cell values of an XLSX."""
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def as_code(raw: object) -> str | None:
    """``320500``, ``'320500'`` or ``320500.0`` -> ``'320500'``; blanks -> None."""
    if raw in (None, ""):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def find_header(rows: list[list[object]]) -> tuple[int, int | None, int]:
    """(row index, code column or None, name column) of the label header row."""
    for index, row in enumerate(rows[:8]):
        cells = [normalize(cell) for cell in row]
        names = [i for i, cell in enumerate(cells) if cell in NAME_HEADERS]
        if names:
            codes = [i for i, cell in enumerate(cells) if cell in CODE_HEADERS]
            return index, (codes[0] if codes else None), names[0]
    raise AssertionError("no 城市/地区/city_name header in the first rows")


def city_rows(rows: list[list[object]]) -> list[tuple[int, str | None, str]]:
    """(row index, printed code or None, printed name) of every city data row."""
    header, code_col, name_col = find_header(rows)
    found = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        name = str(row[name_col]).strip() if name_col < len(row) else ""
        first = str(row[0]).strip() if row else ""
        if (not name or normalize(name) in SCOPE_LABELS | SUBTOTAL_NAMES
                or first.startswith(FOOTNOTE_PREFIXES) or name.startswith(FOOTNOTE_PREFIXES)):
            continue
        found.append((index, as_code(row[code_col]) if code_col is not None else None, name))
    return found


def canonical_name(printed: str) -> str:
    """苏州 -> 苏州市, 蘇州市 -> 苏州市."""
    name = normalize(printed)
    return name if name.endswith("市") else name + "市"


def load_reference() -> list[dict[str, str]]:
    with CITY_REFERENCE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reference_codes_by_name() -> dict[str, str]:
    return {row["city_name"]: row["city_code"] for row in load_reference()}


def resolved_city_rows(path: Path) -> list[tuple[str, str]]:
    """(code, canonical name) of every city row; names-only tables resolved via the seed."""
    by_name = reference_codes_by_name()
    resolved = []
    for _, code, name in city_rows(read_rows(path)):
        canonical = canonical_name(name)
        resolved.append((code or by_name[canonical], canonical))
    return resolved


def gdp_whole_city_yi(path: Path) -> dict[str, float]:
    """city code -> whole-city GDP in 亿元 as printed by one release (numbers only)."""
    rows = read_rows(path)
    if rows[0] == TIDY_HEADER:
        return {row[0]: float(row[5]) * GDP_UNIT_TO_YI[row[6]]
                for row in rows[1:] if row[3] == "gdp" and row[4] == "全市"}
    header, _, _ = find_header(rows)
    column, factor = None, None
    for row in rows[: header + 3]:
        for index, cell in enumerate(row):
            text = normalize(cell)
            if text.startswith("地区生产总值(") and text.endswith(")"):
                column, factor = index, GDP_UNIT_TO_YI[text[len("地区生产总值("):-1]]
    assert column is not None, f"{path.name}: no 地区生产总值 column"
    by_name = reference_codes_by_name()
    values = {}
    for index, code, name in city_rows(rows):
        cell = rows[index][column]
        if isinstance(cell, (int, float)) or (isinstance(cell, str) and cell.isdigit()):
            values[code or by_name[canonical_name(name)]] = float(cell) * factor
    return values


@pytest.fixture(scope="module")
def areacodes(shared_data: Path) -> dict[str, str]:
    """code -> name in force at end-2023, from ``../shared/data`` (see ``shared_data``)."""
    codes = {}
    text = (shared_data / "areacodes" / "annual" / "2023.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip():
            code, name = line.split(maxsplit=1)
            codes[code] = name.strip()
    return codes


# --------------------------------------------------------------------------- tests


@pytest.mark.unit
def test_every_data_file_is_labelled_synthetic() -> None:
    files = data_files()
    assert len(files) >= 10
    for path in files:
        assert path.name.startswith("sample_"), path.name
        meta = sidecar(path)
        assert meta["publisher"] == "sample", path.name
        assert meta["is_synthetic"] is True, path.name
        assert "SYNTHETIC SAMPLE" in meta["title"], path.name
        assert meta["format"] in {"tidy_csv", "yearbook_table"}, path.name
        assert meta["source_url"] is None and meta["license"] == "CC0-1.0", path.name


@pytest.mark.unit
def test_tidy_csvs_have_the_exact_header_and_no_comments() -> None:
    for path in data_files():
        if sidecar(path)["format"] != "tidy_csv":
            continue
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == ",".join(TIDY_HEADER), path.name
        assert not any(line.startswith("#") for line in text.splitlines()), path.name


@pytest.mark.unit
def test_yearbook_tables_carry_the_synthetic_footnote() -> None:
    for path in data_files():
        if sidecar(path)["format"] != "yearbook_table":
            continue
        cells = [str(cell) for row in read_rows(path) for cell in row]
        notes = [c for c in cells if c.startswith("注")]
        assert any(marker in note.lower() for note in notes for marker in SYNTHETIC_MARKERS), \
            f"{path.name}: no 注 row saying 合成样例数据 / synthetic sample"
        assert any(c.startswith("资料来源") for c in cells), path.name


@pytest.mark.unit
def test_city_reference_matches_2023_area_codes(areacodes: dict[str, str]) -> None:
    rows = load_reference()
    assert len({row["city_code"] for row in rows}) == len(rows)
    for row in rows:
        code, name = row["city_code"], row["city_name"]
        assert areacodes.get(code) == name, f"{code} {name} != {areacodes.get(code)}"
        assert row["province_code"] == code[:2] + "0000"
        assert areacodes.get(row["province_code"]) == row["province_name"], row
        assert row["is_municipality"] in {"true", "false"}
        assert row["is_provincial_capital"] in {"true", "false"}
        is_municipality = row["is_municipality"] == "true"
        assert row["city_level"] == ("municipality" if is_municipality else "prefecture_city")
        if is_municipality:
            assert (row["province_code"], row["province_name"]) == (code, name)
    municipalities = {r["city_code"]: r["city_name"] for r in rows
                      if r["is_municipality"] == "true"}
    assert municipalities == MUNICIPALITIES
    capitals = {r["city_name"].removesuffix("市") for r in rows
                if r["is_provincial_capital"] == "true"}
    assert capitals == CAPITALS
    assert len(rows) - len(capitals) - len(municipalities) >= 45


@pytest.mark.unit
def test_every_printed_city_matches_2023_area_codes(areacodes: dict[str, str]) -> None:
    prefecture_names = {name: code for code, name in areacodes.items() if code.endswith("00")}
    reference = reference_codes_by_name()
    for path in data_files():
        printed = city_rows(read_rows(path))
        # A national table prints most reference cities; a province's preliminary, its own.
        least = 13 if "江苏省" in sidecar(path)["title"] else 40
        assert len(printed) >= least, f"{path.name}: only {len(printed)} city rows found"
        for index, code, name in printed:
            canonical = canonical_name(name)
            where = f"{path.name} row {index + 1}: {code} {name!r}"
            assert canonical in reference, f"{where} is not in city_reference.csv"
            if code is not None:
                assert areacodes.get(code) == canonical, f"{where} != {areacodes.get(code)}"
                assert reference[canonical] == code, where
            else:
                assert prefecture_names.get(canonical) == reference[canonical], where


@pytest.mark.unit
def test_regenerating_gives_identical_releases(tmp_path: Path) -> None:
    written = generate.main(tmp_path)
    assert sorted(p.name for p in written) == [p.name for p in data_files()]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in RELEASES_DIR.iterdir() if p.is_file())
    for fresh in sorted(tmp_path.iterdir()):
        committed = RELEASES_DIR / fresh.name
        if fresh.suffix == ".xlsx":
            assert read_sheets(fresh) == read_sheets(committed), fresh.name
        else:
            assert fresh.read_bytes() == committed.read_bytes(), fresh.name


@pytest.mark.unit
def test_coverage_of_cities_and_years() -> None:
    cities: set[str] = set()
    years: set[int] = set()
    for path in data_files():
        cities |= {code for code, _ in resolved_city_rows(path)}
        meta = sidecar(path)
        years |= set(meta.get("data_years") or [meta["data_year"]])
    assert len(cities) >= 60
    assert set(range(2018, 2024)) <= years
    formats = {sidecar(p)["format"] for p in data_files()}
    assert formats == {"tidy_csv", "yearbook_table"}


@pytest.mark.unit
def test_gdp_is_revised_across_releases() -> None:
    values: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for path in data_files():
        year = sidecar(path)["data_year"]
        for code, gdp in gdp_whole_city_yi(path).items():
            values[(code, year)][path.name] = round(gdp, 2)
    revised = [key for key, by_release in values.items()
               if key[1] in (2022, 2023) and len(set(by_release.values())) >= 3]
    assert revised, "no 2022/2023 GDP figure appears in 3 releases with different values"
    for (code, year), by_release in values.items():
        final = next((v for name, v in by_release.items() if "yearbook" in name), None)
        preliminary = by_release.get(f"sample_communique_{year}.csv")
        if final and preliminary:
            assert preliminary != final and abs(preliminary / final - 1) <= 0.0051, (code, year)
        census = by_release.get("sample_revision_2023_gdp.csv")
        if final and census:
            assert 0.02 <= census / final - 1 <= 0.04, (code, year)


@pytest.mark.unit
def test_a_membership_no_scale_can_keep_is_refused() -> None:
    """A drawn series growing 1 % a year cannot be below the club in 2019 and in it by 2020
    with the releases' margins (preliminary ±0.5 %): the generator says so instead of
    writing a panel that contradicts the published club."""
    drawn = {year: 9000.0 * 1.01 ** (year - 2018) for year in generate.DATA_YEARS}
    with pytest.raises(ValueError, match="no scale puts city 350100 in the trillion club"):
        generate._scripted_gdp("350100", drawn)  # 福州 joined in 2020


@pytest.mark.unit
def test_a_rescaled_joiner_crosses_the_club_line_in_its_joining_year() -> None:
    drawn = {year: 14000.0 * 1.07 ** (year - 2018) for year in generate.DATA_YEARS}
    scripted = generate._scripted_gdp("441900", drawn)  # 东莞 joined in 2021
    assert [scripted[year] >= generate.club_floor_yi() for year in generate.DATA_YEARS] == [
        False, False, False, True, True, True]
    assert scripted[2020] <= generate.club_ceiling_yi(2020)
    assert all(scripted[year + 1] / scripted[year] == pytest.approx(1.07)
               for year in generate.DATA_YEARS[:-1])  # growth kept, only the level moves
