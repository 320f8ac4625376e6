"""Generate the bundled SYNTHETIC sample releases (``src/citytiers/samples/releases/``).

Every figure written here is invented: one synthetic "truth" panel per city and data year
is drawn from seeded random generators, and each release prints a view of it (preliminary
communiqué figures, final yearbook figures, a census revision). Nothing is official
statistics: every sidecar says ``publisher: sample`` / ``is_synthetic: true`` and every
title starts with ``SYNTHETIC SAMPLE``; every yearbook table carries a footnote saying so.

The output is deterministic: CSV and YAML files are byte-identical across runs, and XLSX
files are written with fixed document properties and fixed zip timestamps.

Run it from the project root with ``.venv/bin/python -m tools.generate_samples [OUT_DIR]``.
It lives outside the wheel; the files it writes still name it by its first home,
``citytiers.samples.generate``, so the committed samples stay byte for byte the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opencc
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from citytiers.settings import dbt_vars

SEED = 20240229
DATA_YEARS = tuple(range(2018, 2024))
REVISION_YEAR = 2023
REPO_ROOT = Path(__file__).resolve().parents[1]
CITY_REFERENCE_CSV = REPO_ROOT / "dbt_project" / "seeds" / "city_reference.csv"
DEFAULT_OUT_DIR = REPO_ROOT / "src" / "citytiers" / "samples" / "releases"
SIDECAR_SUFFIX = ".release.yml"

FIXED_TIMESTAMP = dt.datetime(2024, 12, 31, 0, 0, 0)
FIXED_ZIP_TIME = (2024, 12, 31, 0, 0, 0)
# The creator stamped in every sample workbook: the generator's name when the samples were
# first made (it moved to tools/ later; the bytes of the samples must not change).
XLSX_CREATOR = "citytiers.samples.generate (synthetic sample)"

SYNTHETIC_NOTE = "注：本表数据为合成样例数据（synthetic sample），非官方统计。"
SYNTHETIC_NOTE_TRAD = "注：本表數據為合成樣例數據（synthetic sample），非官方統計。"
SOURCE_NOTE = "资料来源：样例"
PLACEHOLDERS: tuple[str | None, ...] = ("—", "…", "...", "-", "/", None)
PLACEHOLDER_RATE = 0.04

TIDY_HEADER = ("city_code", "city_name", "data_year", "indicator", "scope", "value", "unit")
WHOLE_CITY = "全市"

# Magnitude classes of the synthetic panel (2018 GDP in 亿元, GDP per capita in 元).
# The class only sets a plausible range for the random draw; it is not a ranking.
MEGA_CITIES = frozenset({"110000", "310000", "440100", "440300", "500000"})
LARGE_CITIES = frozenset({
    "120000", "320100", "320200", "320500", "320600", "330100", "330200", "340100",
    "350100", "350500", "370100", "370200", "410100", "420100", "430100", "440600",
    "441900", "510100", "610100",
})
GDP_2018_RANGE_YI = {"mega": (18000.0, 30000.0), "large": (7500.0, 16000.0),
                     "capital": (1500.0, 5500.0), "other": (1000.0, 3500.0)}
GDP_PER_CAPITA_RANGE = {"mega": (60000.0, 190000.0), "large": (70000.0, 180000.0),
                        "capital": (50000.0, 120000.0), "other": (35000.0, 120000.0)}
POPULATION_BOUNDS_WAN = (100.0, 3200.0)
# Extra nominal growth (percentage points) for a city and data year: a scripted story in
# the synthetic panel, so that the example question of docs/tiers.md "which waist cities overtook
# a provincial peer in 2022" has an answer on the samples (镇江 passes 徐州 in 2022).
# 宿迁's 2021 nudge keeps it behind 连云港 before 2022, as published (FIRST_OVERTAKES below).
GROWTH_NUDGES_PCT = {("321100", 2022): 7.0, ("321300", 2021): 1.5}

# The trillion club (万亿GDP城市) of the synthetic panel follows the published memberships
# (../shared/docs/DOMAIN.md, press reports of official figures): the data year each member
# joined, DATA_YEARS[0] for the 16 members of 2018. A drawn series is rescaled as little as
# it takes for the city to be in the club from that year on, and every other city is held
# below it, so a newcomer's first answers look like the real world's (22 members in 2019
# before this rule; 17 published). The figures stay invented: only memberships are copied.
TRILLION_CLUB_JOINED = {
    **dict.fromkeys(("310000", "110000", "440300", "440100", "500000", "320500", "510100",
                     "420100", "330100", "120000", "320100", "330200", "320200", "370200",
                     "410100", "430100"), DATA_YEARS[0]),
    "440600": 2019,                                                       # 佛山
    **dict.fromkeys(("320600", "350500", "350100", "610100", "340100", "370100"), 2020),
    "441900": 2021,                                                       # 东莞
    **dict.fromkeys(("320400", "370600"), 2023),                          # 常州 烟台
}
# Final GDP figures (亿元) copied from published ones (DOMAIN.md), so that the samples tell
# two of the articles' stories: 宿迁 overtakes 连云港 for the first time in 2022, and 常州
# joins the trillion club in 2023. A pinned city's other years are its drawn series scaled
# to meet its first pinned figure.
PINNED_GDP_YI = {
    ("321300", 2021): 3719.01, ("321300", 2022): 4112.0, ("321300", 2023): 4398.07,   # 宿迁
    ("320700", 2021): 3727.92, ("320700", 2022): 4005.0, ("320700", 2023): 4363.61,   # 连云港
    ("320400", 2021): 8807.58, ("320400", 2022): 9550.0, ("320400", 2023): 10116.36,  # 常州
}
# Scripted overtakes, checked on the figures in force: (city, peer) -> the first data year
# the city's GDP is above the peer's (below it every year before).
FIRST_OVERTAKES = {("321300", "320700"): 2022}
# How far a communiqué's preliminary figure and the economic-census revision (REVISION_YEAR
# only) move from the final figure; the club margins below allow for both.
PRELIMINARY_GAP_RANGE = (0.0005, 0.005)
REVISION_RISE_RANGE = (0.025, 0.035)
# A province's January preliminary accounting (初步核算) of REVISION_YEAR, and how far it
# may be from the communiqué figure that follows (only a state rebuilt as of a date before
# the communiqué shows these figures).
PRELIMINARY_PROVINCE = "江苏省"
PRELIMINARY_FLASH_GAP = 0.003

# Cities printed without the 市 suffix in the 2020 edition (苏州 rather than 苏州市).
SHORT_NAME_CODES = frozenset({"210200", "320200", "320500", "330200", "350200", "370200",
                              "420100", "440300", "510100"})


@dataclass(frozen=True)
class City:
    """One row of ``city_reference.csv``."""

    code: str
    name: str
    province_name: str
    is_capital: bool
    is_municipality: bool

    @property
    def size_class(self) -> str:
        """The magnitude class used to draw this city's synthetic figures."""
        if self.code in MEGA_CITIES:
            return "mega"
        if self.code in LARGE_CITIES:
            return "large"
        return "capital" if self.is_capital or self.is_municipality else "other"


@dataclass(frozen=True)
class CityYear:
    """The synthetic truth for one city and data year (final, post-yearbook figures)."""

    code: str
    year: int
    gdp_wan: int                       # final GDP, 万元 (what the yearbook prints)
    gdp_district_wan: int              # 市辖区 GDP, 万元
    gdp_growth_real_pct: float         # real growth, % (1 decimal)
    gdp_preliminary_yi: float          # communiqué GDP, 亿元 (differs by up to ±0.5%)
    gdp_revised_yi: float | None       # after the 5th economic census (REVISION_YEAR only)
    population_resident: float         # 万人, year end
    population_resident_district: float
    population_registered: float       # 万人, year end (户籍)
    population_registered_district: float
    population_urban_area: float       # 城区人口, 万人
    disposable_income: int             # 元 per capita

    @property
    def gdp_yi(self) -> float:
        """Final GDP in 亿元, 2 decimals."""
        return round(self.gdp_wan / 10000, 2)

    @property
    def gdp_per_capita(self) -> int:
        """GDP per resident, 元 (万元 / 万人 = 元)."""
        return round(self.gdp_wan / self.population_resident)

    @property
    def gdp_per_capita_district(self) -> int:
        """市辖区 GDP per resident of the districts, 元."""
        return round(self.gdp_district_wan / self.population_resident_district)


Panel = dict[tuple[str, int], CityYear]


# --------------------------------------------------------------------------- inputs


def load_cities(reference_csv: Path = CITY_REFERENCE_CSV) -> list[City]:
    """The cities of the reference seed, sorted by code."""
    with reference_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cities = [
        City(
            code=row["city_code"],
            name=row["city_name"],
            province_name=row["province_name"],
            is_capital=row["is_provincial_capital"] == "true",
            is_municipality=row["is_municipality"] == "true",
        )
        for row in rows
    ]
    return sorted(cities, key=lambda city: city.code)


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_traditional(name: str) -> str | None:
    """The traditional spelling of ``name``, or None if OpenCC t2s does not give it back."""
    traditional = _converter("s2t").convert(name)
    return traditional if _converter("t2s").convert(traditional) == name else None


# --------------------------------------------------------------------------- the panel


def _city_rng(city_code: str, purpose: str) -> random.Random:
    """A generator per city and purpose, so adding a city never shifts another's figures."""
    return random.Random(f"{SEED}:{purpose}:{city_code}")


def build_city_series(city: City) -> list[CityYear]:
    """Draw one city's synthetic truth for every data year."""
    rng = _city_rng(city.code, "panel")
    size = city.size_class
    gdp_yi = rng.uniform(*GDP_2018_RANGE_YI[size])
    low, high = POPULATION_BOUNDS_WAN
    population = min(max(gdp_yi * 10000 / rng.uniform(*GDP_PER_CAPITA_RANGE[size]), low), high)
    gdp_district_share = rng.uniform(0.92, 1.0) if city.is_municipality else rng.uniform(0.45, 0.92)
    population_district_share = (rng.uniform(0.85, 1.0) if city.is_municipality
                                 else rng.uniform(0.35, 0.85))
    registered_ratio = rng.uniform(0.55, 1.15)
    urban_area_share = rng.uniform(0.55, 0.9)
    income = gdp_yi * 10000 / population * rng.uniform(0.3, 0.5)
    income = min(max(income, 22000.0), 72000.0)
    trend_growth = rng.uniform(4.0, 7.0)
    population_trend = rng.uniform(-0.5, 2.0)

    draws = []
    for year in DATA_YEARS:
        real_growth = round(min(max(trend_growth + rng.gauss(0.0, 0.8), 2.0), 8.0), 1)
        if year > DATA_YEARS[0]:
            deflator = rng.uniform(0.5, 2.5)
            nudge = GROWTH_NUDGES_PCT.get((city.code, year), 0.0)
            gdp_yi *= 1 + (real_growth + deflator + nudge) / 100
            population *= 1 + (population_trend + rng.gauss(0.0, 0.3)) / 100
            income *= 1 + rng.uniform(4.0, 8.0) / 100
        population = min(max(population, low), high)
        draws.append((year, gdp_yi, real_growth, population, income))

    gdp_by_year = _scripted_gdp(city.code, {year: gdp for year, gdp, *_ in draws})
    revision_rng = _city_rng(city.code, "revision")
    series = []
    for year, drawn_gdp, real_growth, drawn_population, drawn_income in draws:
        # Population moves with GDP so that GDP per capita keeps its drawn, plausible value.
        scale = gdp_by_year[year] / drawn_gdp
        population = min(max(drawn_population * scale, low), high)
        series.append(_city_year(city.code, year, gdp_by_year[year], real_growth, population,
                                 gdp_district_share, population_district_share,
                                 registered_ratio, urban_area_share, drawn_income,
                                 revision_rng))
    return series


def trillion_yi() -> float:
    """The trillion club's threshold in 亿元, from the dbt var ``trillion_yuan`` (written once)."""
    return float(dbt_vars()["trillion_yuan"]) / 1e8


def club_floor_yi() -> float:
    """The lowest final GDP that stays in the club in every release (preliminary included)."""
    return trillion_yi() / (1 - PRELIMINARY_GAP_RANGE[1]) * 1.0001


def club_ceiling_yi(year: int) -> float:
    """The highest final GDP of ``year`` that stays out of the club in every release."""
    rise = REVISION_RISE_RANGE[1] if year == REVISION_YEAR else PRELIMINARY_GAP_RANGE[1]
    return trillion_yi() / (1 + rise) * 0.9999


def _scripted_gdp(code: str, drawn: dict[int, float]) -> dict[int, float]:
    """A city's final GDP by year: the drawn series with its pins, inside its club membership.

    The series is multiplied by a factor near the nearest to 1 that keeps the city in the
    club from its joining year on and out of it before (or always out); a pinned city is scaled to
    its first pin and takes every pin as printed. Raises when no factor can do it, so a new
    seed or city can never silently break the published story.
    """
    pins = {year: value for (pinned, year), value in PINNED_GDP_YI.items() if pinned == code}
    if pins:
        first = min(pins)
        factor = pins[first] / drawn[first]
    else:
        joined = TRILLION_CLUB_JOINED.get(code)
        lowest = max((club_floor_yi() / gdp for year, gdp in drawn.items()
                      if joined is not None and year >= joined), default=0.0)
        highest = min((club_ceiling_yi(year) / gdp for year, gdp in drawn.items()
                       if joined is None or year < joined), default=float("inf"))
        if lowest > highest:
            raise ValueError(f"no scale puts city {code} in the trillion club from {joined}: "
                             "its drawn growth is too slow for the club's margins")
        factor = min(max(1.0, lowest), highest)
        if factor != 1.0:
            # Up to 5 % inside the bound, so that rescaled cities do not share one figure.
            inward = 1 + _city_rng(code, "club").uniform(0.0, 0.05)
            factor = min(factor * inward, highest) if factor == lowest else max(
                factor / inward, lowest)
    scripted = {year: gdp * factor for year, gdp in drawn.items()} | pins
    joined = TRILLION_CLUB_JOINED.get(code)
    for year, gdp in scripted.items():
        member = joined is not None and year >= joined
        if member != (gdp >= club_floor_yi()) or (not member and gdp > club_ceiling_yi(year)):
            raise ValueError(f"city {code}'s {year} GDP {gdp:.2f}亿元 contradicts its "
                             f"trillion-club membership (joined {joined})")
    return scripted


def _city_year(code: str, year: int, gdp_yi: float, real_growth: float, population: float,
               gdp_district_share: float, population_district_share: float,
               registered_ratio: float, urban_area_share: float, income: float,
               revision_rng: random.Random) -> CityYear:
    """Round one year's draws to printed precision and derive the releases' variants."""
    gdp_wan = round(gdp_yi * 10000)
    preliminary_gap = revision_rng.uniform(*PRELIMINARY_GAP_RANGE) * revision_rng.choice((-1, 1))
    revised = None
    if year == REVISION_YEAR:
        revised = round(gdp_wan / 10000 * (1 + revision_rng.uniform(*REVISION_RISE_RANGE)), 2)
    resident = round(population, 2)
    resident_district = round(population * population_district_share, 2)
    return CityYear(
        code=code,
        year=year,
        gdp_wan=gdp_wan,
        gdp_district_wan=round(gdp_wan * gdp_district_share),
        gdp_growth_real_pct=real_growth,
        gdp_preliminary_yi=round(gdp_wan / 10000 * (1 + preliminary_gap), 2),
        gdp_revised_yi=revised,
        population_resident=resident,
        population_resident_district=resident_district,
        population_registered=round(population * registered_ratio, 2),
        population_registered_district=round(
            population * population_district_share * registered_ratio, 2),
        population_urban_area=round(resident_district * urban_area_share, 2),
        disposable_income=round(income),
    )


def build_panel(cities: Iterable[City]) -> Panel:
    """The synthetic truth for every city and data year (its scripted overtakes checked)."""
    panel = {(row.code, row.year): row for city in cities for row in build_city_series(city)}
    for (code, peer), first_year in FIRST_OVERTAKES.items():
        for year in DATA_YEARS:
            ahead = gdp_in_force_yi(panel[(code, year)]) > gdp_in_force_yi(panel[(peer, year)])
            if ahead != (year >= first_year):
                raise ValueError(f"city {code} should first overtake {peer} in {first_year}, "
                                 f"but in {year} it is {'ahead' if ahead else 'behind'}")
    return panel


def gdp_in_force_yi(row: CityYear) -> float:
    """The GDP an analyst reads once every release is loaded: the revision, else the final."""
    return row.gdp_revised_yi if row.gdp_revised_yi is not None else row.gdp_yi


# --------------------------------------------------------------------------- writers


def write_sidecar(data_file: Path, *, title: str, edition_year: int, data_year: int,
                  published_on: dt.date, file_format: str, release_kind: str) -> Path:
    """Write ``<data_file>.release.yml`` (titles are JSON-quoted, valid YAML);
    ``release_kind`` decides a same-day tie (dbt var same_day_precedence)."""
    path = data_file.with_name(data_file.name + SIDECAR_SUFFIX)
    lines = [
        "# Bundled SYNTHETIC sample release written by citytiers.samples.generate.",
        "# The figures are invented; they are not official statistics.",
        "publisher: sample",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"edition_year: {edition_year}",
        f"data_year: {data_year}",
        f"published_on: {published_on.isoformat()}",
        "source_url: null",
        "license: CC0-1.0",
        f"format: {file_format}",
        f"release_kind: {release_kind}",
        "is_synthetic: true",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, rows: Iterable[Sequence[object]]) -> Path:
    """UTF-8 CSV without BOM, LF line endings."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def save_workbook(workbook: Workbook, path: Path, creator: str = XLSX_CREATOR, *,
                  title: str = "SYNTHETIC SAMPLE (合成样例数据, 非官方数据)",
                  edit: dict[str, Callable[[bytes], bytes]] | None = None) -> Path:
    """Save with fixed document properties and zip timestamps (byte-reproducible).

    ``Workbook.save`` stamps ``modified`` with the current time, so the ExcelWriter is
    driven directly and the archive is re-zipped with fixed member timestamps. Also used
    by the synthetic test cases (``creator`` names their generator, ``title`` says what
    they are; ``edit`` rewrites named archive members, e.g. a sheet's XML to give formula
    cells stored results, which openpyxl cannot write).
    """
    workbook.properties.creator = creator
    workbook.properties.lastModifiedBy = creator
    workbook.properties.title = title
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(member.filename)
            if edit and member.filename in edit:
                data = edit[member.filename](data)
            target.writestr(info, data)
    return path


def _placeholder_or(value: object, rng: random.Random, rate: float = PLACEHOLDER_RATE) -> object:
    """Now and then replace a printed figure by a placeholder (—, …, ..., -, / or blank)."""
    return rng.choice(PLACEHOLDERS) if rng.random() < rate else value


def _write_rows(sheet: Worksheet, first_row: int, rows: Iterable[Sequence[object]]) -> int:
    """Write rows from ``first_row``; returns the next free row."""
    row_index = first_row
    for row in rows:
        for column_index, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=row_index, column=column_index, value=value)
        row_index += 1
    return row_index


def _write_footnotes(sheet: Worksheet, row: int, note: str = SYNTHETIC_NOTE) -> None:
    """The synthetic-data note and the source line, in column A below the data."""
    sheet.cell(row=row, column=1, value=note)
    sheet.cell(row=row + 1, column=1, value=SOURCE_NOTE)


# --------------------------------------------------------------------------- releases


def write_communique(out_dir: Path, cities: Sequence[City], panel: Panel, year: int) -> Path:
    """a) the tidy communiqué digest of one data year (preliminary GDP)."""
    path = out_dir / f"sample_communique_{year}.csv"
    rows: list[Sequence[object]] = [TIDY_HEADER]
    for city in cities:
        cell = panel[(city.code, year)]
        rows += [
            (city.code, city.name, year, "gdp", WHOLE_CITY,
             f"{cell.gdp_preliminary_yi:.2f}", "亿元"),
            (city.code, city.name, year, "gdp_growth_real_pct", WHOLE_CITY,
             f"{cell.gdp_growth_real_pct:.1f}", "%"),
            (city.code, city.name, year, "population_resident", WHOLE_CITY,
             f"{cell.population_resident:.2f}", "万人"),
            (city.code, city.name, year, "disposable_income_per_capita", WHOLE_CITY,
             str(cell.disposable_income), "元"),
        ]
    write_csv(path, rows)
    published = random.Random(f"{SEED}:communique:{year}")
    write_sidecar(
        path,
        title=f"SYNTHETIC SAMPLE - {year}年城市国民经济和社会发展统计公报汇总 (样例, 非官方数据)",
        edition_year=year + 1,
        data_year=year,
        published_on=dt.date(year + 1, published.randint(2, 4), published.randint(1, 28)),
        file_format="tidy_csv", release_kind="communique",
    )
    return path


def write_preliminary(out_dir: Path, cities: Sequence[City], panel: Panel) -> Path:
    """g) a province's preliminary accounting (初步核算) of REVISION_YEAR, published in
    January before the communiqué: whole-city GDP of its cities, within
    PRELIMINARY_FLASH_GAP of the communiqué's figure. With the communiqué, the yearbook
    and the economic-census revision it gives these cities four vintages of one figure."""
    year = REVISION_YEAR
    path = out_dir / f"sample_preliminary_{year}_jiangsu.csv"
    rows: list[Sequence[object]] = [TIDY_HEADER]
    for city in cities:
        if city.province_name != PRELIMINARY_PROVINCE:
            continue
        communique = panel[(city.code, year)].gdp_preliminary_yi
        gap = _city_rng(city.code, "flash").uniform(-PRELIMINARY_FLASH_GAP,
                                                    PRELIMINARY_FLASH_GAP)
        rows.append((city.code, city.name, year, "gdp", WHOLE_CITY,
                     f"{communique * (1 + gap):.2f}", "亿元"))
    write_csv(path, rows)
    write_sidecar(
        path,
        title=f"SYNTHETIC SAMPLE - {year}年江苏省设区市地区生产总值初步核算数 (样例, 非官方数据)",
        edition_year=year + 1, data_year=year, published_on=dt.date(year + 1, 1, 26),
        file_format="tidy_csv", release_kind="preliminary",
    )
    return path


def write_yearbook_2020(out_dir: Path, cities: Sequence[City], panel: Panel) -> Path:
    """b) edition 2020 (data 2019), sheet ``2-1``: 2-row header, names only, 全国 row."""
    year = 2019
    path = out_dir / "sample_yearbook_2020_t2-1.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "2-1"
    sheet["A1"] = f"2-1 地区生产总值（{year}年）"
    sheet.merge_cells("A1:H1")
    header_top = ["城市", "地区生产总值(万元)", None, "人均地区生产总值（元）", None,
                  "年末户籍人口(万人)", None, "城区人口(万人)"]
    header_scope = [None, "全市", "市辖区", "全市", "市辖区", "全市", "市辖区", "城区"]
    _write_rows(sheet, 3, [header_top, header_scope])
    for cells in ("A3:A4", "B3:C3", "D3:E3", "F3:G3"):
        sheet.merge_cells(cells)

    rows = [_national_row_2019(cities, panel)]
    rng = random.Random(f"{SEED}:yearbook2020")
    for city in cities:
        cell = panel[(city.code, year)]
        name = city.name.removesuffix("市") if city.code in SHORT_NAME_CODES else city.name
        figures = [cell.gdp_wan, cell.gdp_district_wan, cell.gdp_per_capita,
                   cell.gdp_per_capita_district, cell.population_registered,
                   cell.population_registered_district, cell.population_urban_area]
        rows.append([name, *(_placeholder_or(value, rng) for value in figures)])
    next_row = _write_rows(sheet, 5, rows)
    _write_footnotes(sheet, next_row)
    save_workbook(workbook, path)
    write_sidecar(
        path,
        title="SYNTHETIC SAMPLE - 中国城市统计年鉴2020 表2-1 (样例, 非官方数据)",
        edition_year=2020, data_year=year, published_on=dt.date(2020, 12, 15),
        file_format="yearbook_table", release_kind="yearbook",
    )
    return path


def _national_row_2019(cities: Sequence[City], panel: Panel) -> list[object]:
    """The ``全国`` subtotal of the 2020 edition (sums over the sample cities)."""
    cells = [panel[(city.code, 2019)] for city in cities]
    gdp = sum(cell.gdp_wan for cell in cells)
    gdp_district = sum(cell.gdp_district_wan for cell in cells)
    resident = sum(cell.population_resident for cell in cells)
    resident_district = sum(cell.population_resident_district for cell in cells)
    return [
        "全国", gdp, gdp_district, round(gdp / resident), round(gdp_district / resident_district),
        round(sum(cell.population_registered for cell in cells), 2),
        round(sum(cell.population_registered_district for cell in cells), 2), "…",
    ]


def write_yearbook_2021(out_dir: Path, cities: Sequence[City], panel: Panel) -> Path:
    """b) edition 2021 (data 2020): a CSV with a title line and a 2-row header."""
    year = 2020
    path = out_dir / "sample_yearbook_2021_gdp_population.csv"
    rows: list[Sequence[object]] = [
        (f"中国城市统计年鉴2021 地区生产总值与人口（{year}年）",),
        ("行政区划代码", "地区", "地区生产总值（万元）", "", "年末常住人口（万人）", "",
         "居民人均可支配收入(元)"),
        ("", "", "全市", "市辖区", "全市", "市辖区", "全市"),
    ]
    rng = random.Random(f"{SEED}:yearbook2021")
    for city in cities:
        cell = panel[(city.code, year)]
        district_population = _placeholder_or(f"{cell.population_resident_district:.2f}", rng)
        rows.append((city.code, city.name, cell.gdp_wan,
                     _placeholder_or(cell.gdp_district_wan, rng) or "",
                     f"{cell.population_resident:.2f}", district_population or "",
                     cell.disposable_income))
    rows += [(SYNTHETIC_NOTE,), (SOURCE_NOTE,)]
    write_csv(path, rows)
    write_sidecar(
        path,
        title="SYNTHETIC SAMPLE - 中国城市统计年鉴2021 地区生产总值与人口 (样例, 非官方数据)",
        edition_year=2021, data_year=year, published_on=dt.date(2021, 12, 15),
        file_format="yearbook_table", release_kind="yearbook",
    )
    return path


def write_yearbook_t1(out_dir: Path, cities: Sequence[City], panel: Panel, edition: int) -> Path:
    """b) editions 2022/2023: 3-row header (group / indicator+unit / scope), float codes."""
    year = edition - 1
    path = out_dir / f"sample_yearbook_{edition}_t1.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "表1"
    sheet["A1"] = f"表1 城市主要经济与人口指标（{year}年）"
    sheet.merge_cells("A1:H1")
    _write_rows(sheet, 2, [
        ["代码", "城市", "综合经济", None, None, "人口", None, None],
        [None, None, "地区生产总值(万元)", None, "地区生产总值增长率(%)",
         "年末户籍人口(万人)", None, "城区人口(万人)"],
        [None, None, "全市", "市辖区", "全市", "全市", "市辖区", "城区"],
    ])
    for cells in ("A2:A4", "B2:B4", "C2:E2", "F2:H2", "C3:D3", "F3:G3"):
        sheet.merge_cells(cells)

    rng = random.Random(f"{SEED}:yearbook{edition}")
    rows = []
    for city in cities:
        cell = panel[(city.code, year)]
        rows.append([
            float(city.code), city.name, cell.gdp_wan, cell.gdp_district_wan,
            cell.gdp_growth_real_pct, cell.population_registered,
            _placeholder_or(cell.population_registered_district, rng),
            _placeholder_or(cell.population_urban_area, rng, rate=0.08),
        ])
    rows.append([None, "合计", sum(panel[(c.code, year)].gdp_wan for c in cities),
                 sum(panel[(c.code, year)].gdp_district_wan for c in cities), "…",
                 round(sum(panel[(c.code, year)].population_registered for c in cities), 2),
                 "…", "…"])
    next_row = _write_rows(sheet, 5, rows)
    _write_footnotes(sheet, next_row)
    save_workbook(workbook, path)
    write_sidecar(
        path,
        title=f"SYNTHETIC SAMPLE - 中国城市统计年鉴{edition} 表1 (样例, 非官方数据)",
        edition_year=edition, data_year=year, published_on=dt.date(edition, 12, 15),
        file_format="yearbook_table", release_kind="yearbook",
    )
    return path


def write_yearbook_2024_traditional(out_dir: Path, cities: Sequence[City], panel: Panel) -> Path:
    """b) edition 2024 (data 2023) in traditional characters; only t2s-reversible names."""
    year = 2023
    path = out_dir / "sample_yearbook_2024_trad.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "2-1"
    sheet["A1"] = f"2-1 地區生產總值（{year}年）"
    sheet.merge_cells("A1:F1")
    _write_rows(sheet, 3, [
        ["城市", "地區生產總值(萬元)", None, "年末戶籍人口(萬人)", None, "城區人口(萬人)"],
        [None, "全市", "市轄區", "全市", "市轄區", "城區"],
    ])
    for cells in ("A3:A4", "B3:C3", "D3:E3"):
        sheet.merge_cells(cells)

    rng = random.Random(f"{SEED}:yearbook2024")
    rows = []
    for city in cities:
        traditional = to_traditional(city.name)
        if traditional is None:
            continue
        cell = panel[(city.code, year)]
        rows.append([traditional, cell.gdp_wan, _placeholder_or(cell.gdp_district_wan, rng),
                     cell.population_registered,
                     _placeholder_or(cell.population_registered_district, rng),
                     _placeholder_or(cell.population_urban_area, rng)])
    next_row = _write_rows(sheet, 5, rows)
    _write_footnotes(sheet, next_row, note=SYNTHETIC_NOTE_TRAD)
    save_workbook(workbook, path)
    write_sidecar(
        path,
        title="SYNTHETIC SAMPLE - 中国城市统计年鉴2024 表2-1 繁体版 (样例, 非官方数据)",
        edition_year=2024, data_year=year, published_on=dt.date(2024, 12, 15),
        file_format="yearbook_table", release_kind="yearbook",
    )
    return path


def write_revision(out_dir: Path, cities: Sequence[City], panel: Panel) -> Path:
    """c) GDP of REVISION_YEAR revised up ~3% after the 5th national economic census."""
    path = out_dir / f"sample_revision_{REVISION_YEAR}_gdp.csv"
    rows: list[Sequence[object]] = [TIDY_HEADER]
    for city in cities:
        revised = panel[(city.code, REVISION_YEAR)].gdp_revised_yi
        rows.append((city.code, city.name, REVISION_YEAR, "gdp", WHOLE_CITY,
                     f"{revised:.2f}", "亿元"))
    write_csv(path, rows)
    write_sidecar(
        path,
        title=(f"SYNTHETIC SAMPLE - 第五次全国经济普查后{REVISION_YEAR}年地区生产总值修订数"
               " (样例, 非官方数据)"),
        edition_year=REVISION_YEAR + 1, data_year=REVISION_YEAR,
        published_on=dt.date(2024, 12, 30), file_format="tidy_csv",
        release_kind="census_revision",
    )
    return path


def main(out_dir: Path = DEFAULT_OUT_DIR, reference_csv: Path = CITY_REFERENCE_CSV) -> list[Path]:
    """Write every sample release (and its sidecar) into ``out_dir``; returns the data files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cities = load_cities(reference_csv)
    panel = build_panel(cities)
    written = [write_communique(out_dir, cities, panel, year) for year in DATA_YEARS]
    written += [
        write_yearbook_2020(out_dir, cities, panel),
        write_yearbook_2021(out_dir, cities, panel),
        write_yearbook_t1(out_dir, cities, panel, edition=2022),
        write_yearbook_t1(out_dir, cities, panel, edition=2023),
        write_yearbook_2024_traditional(out_dir, cities, panel),
        write_revision(out_dir, cities, panel),
        write_preliminary(out_dir, cities, panel),
    ]
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT_DIR
    for written_path in main(target):
        print(written_path)
