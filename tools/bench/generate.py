"""The SYNTHETIC benchmark releases: one large tidy CSV and one large yearbook XLSX per scale.

Every figure is invented. Every sidecar says ``publisher: sample``, ``is_synthetic: true``
and a title containing ``SYNTHETIC SAMPLE (benchmark)``; every workbook sheet repeats it
in its title row and a footnote; names of the synthetic places contain 合成 ("synthetic").

**Tidy CSV** (``bench_tidy_<s>x.csv``, format ``tidy_csv``): one row per place x data year
x indicator x scope, the key unique by construction. Indicators are every indicator of
``seeds/indicators.csv`` (printed as any of their synonyms in
``seeds/indicator_synonyms.csv``, rotating), scopes every scope of ``seeds/scopes.csv``
(any of its labels), units every unit of ``seeds/unit_factors.csv`` that fits the
indicator (rotating: 万元, 亿元, 萬元, 元 ...). Data years run back from 2024 (the sidecar's
``published_on`` is 2025-03-31), at most to 1949. 1x is about 100 000 observations, 100x
about 10 million.

**Yearbook XLSX** (``bench_yearbook_<s>x.xlsx``, format ``yearbook_table``): one data
year (2024), one row per place, columns ``代码``, ``城市`` and one column per indicator x
scope, headed ``地区生产总值(万元)`` over a scope row ``全市 / 市辖区 / 城区``; one sheet per
province (the layout of a provincial yearbook), each with a title row, a ``合计`` subtotal
row and footnotes; about 1 % of the cells are the placeholder ``—``. 1x is about 10 000
observations (477 rows: a large real yearbook table), 100x about 1 million (47 620 rows).
A yearbook table holds one data year and each (place, indicator, scope) once, so its rows
can only grow with the number of places: hence a tenth of the tidy CSV, in one file.

**Places** (the same pool for both files, always 6-digit GB/T 2260-shaped codes, never a
code twice): first the 106 real cities of ``seeds/city_reference.csv`` (real codes and
names; 1x uses only these in the tidy CSV), then synthetic county-level codes under those
real prefectures (``320500`` -> ``320501`` ... ``320599``, named ``苏州市合成01区``), then
synthetic county-level codes under synthetic prefectures of the real provinces
(``3201`` ... ``3299`` not in the seed, named ``江苏省合成0101县``). No synthetic code ends in
``00``, so none counts as a prefecture-level city in the tier marts.

Written with bulk tools: DuckDB ``COPY ... TO`` for the CSV, openpyxl's write-only mode
for the workbook (values computed by one DuckDB query). Deterministic: the values are
integer hashes of (code, year, indicator, scope), not a random generator.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from citytiers.parse.normalize.dictionary import read_csv_rows
from citytiers.settings import PROJECT_ROOT

# 3: figures within the gates' bounds; 2: with the code list the gates check codes against.
GENERATOR_VERSION = 3
SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
TITLE_MARK = "SYNTHETIC SAMPLE (benchmark)"
PUBLISHER = "sample"
TIDY_OBSERVATIONS_1X = 100_000
YEARBOOK_OBSERVATIONS_1X = 10_000
# The first data year of the marts' bounds (seeds/mart_bounds.csv).
FIRST_PLAUSIBLE_YEAR = int(next(
    row["min_value"] for row in read_csv_rows(SEEDS / "mart_bounds.csv")
    if row["bound_code"] == "data_year"))
LAST_DATA_YEAR = 2024
EDITION_YEAR = 2025
TIDY_PUBLISHED_ON = dt.date(2025, 3, 31)
YEARBOOK_DATA_YEAR = 2024
YEARBOOK_PUBLISHED_ON = dt.date(2025, 6, 30)
PLACEHOLDER = "—"
PLACEHOLDER_MODULUS = 97  # a cell is a placeholder when (code*31 + column*17) % 97 == 0
SYNTHETIC_FOOTNOTE = f"注：本表数据为合成基准数据（{TITLE_MARK}），非官方统计。"
SOURCE_FOOTNOTE = "资料来源：tools.bench（合成）"
MANIFEST = "manifest.json"
# Rows of a yearbook sheet besides its places: title, 2 header rows, 合计, 2 footnotes.
SHEET_EXTRA_ROWS = 6
SIDECAR_SUFFIX = ".release.yml"
TIDY_HEADER = ("city_code", "city_name", "data_year", "indicator", "scope", "value", "unit")

# Synthetic magnitudes (base units) in 1949 and yearly growth, by indicator; an indicator
# added to the seed later falls back to its base unit's line.
# Ranges (1949) and yearly growth, chosen so that every figure stays within
# seeds/plausibility_bounds.csv from 1949 to 2024 and moves less than the gates' factors.
LEVELS: dict[str, tuple[float, float, float]] = {
    "gdp": (2e9, 1e10, 0.07),
    # A ratio indicator (seeds/indicator_ratios.csv) is its numerator over its denominator:
    # these bounds only choose the units it is printed in.
    "gdp_per_capita": (400.0, 10000.0, 0.06),
    "population_resident": (1e6, 5e6, 0.01),
    "population_registered": (1e6, 5e6, 0.008),
    "population_urban_area": (1e5, 3e6, 0.02),
    "disposable_income_per_capita": (60.0, 400.0, 0.07),
}
# Figures per person are the same whatever the scope (a district's GDP is smaller, not its
# GDP per head).
PER_PERSON = ("gdp_per_capita", "disposable_income_per_capita")
LEVELS_BY_BASE = {"yuan": (1e3, 1e5, 0.05), "persons": (1e5, 1e6, 0.01)}
RATES: dict[str, tuple[float, float]] = {"gdp_growth_real_pct": (2.0, 12.0)}
RATE_BY_BASE = (0.0, 10.0)
SCOPE_FACTORS = {"whole_city": 1.0, "urban_districts": 0.6, "urban_area": 0.35}
# The unit a yearbook prints for a level, most preferred first (if it keeps >= 1).
YEARBOOK_UNITS = {"yuan": ("万元", "元"), "persons": ("万人", "人"), "percent": ("%",)}
BRACKETS = re.compile(r"[()（）\[\]]")


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    province_code: str
    province_name: str


@dataclass(frozen=True)
class Unit:
    label: str
    factor: float
    decimals: int


@dataclass(frozen=True)
class IndicatorSpec:
    order: int
    code: str
    base_unit: str
    synonyms: tuple[str, ...]   # how the tidy CSV prints it (rotating)
    header: str                 # how the yearbook prints it (no brackets)
    units: tuple[Unit, ...]     # units the tidy CSV rotates through
    yearbook_unit: Unit
    low: float
    high: float
    growth: float | None        # None: a rate (no growth, no scope factor)


@dataclass(frozen=True)
class ScopeSpec:
    order: int
    code: str
    labels: tuple[str, ...]
    factor: float


@dataclass(frozen=True)
class Inputs:
    """What was generated for one scale (the manifest's content)."""

    scale: int
    directory: str
    tidy_csv: str
    tidy_observations: int
    tidy_places: int
    tidy_years: list[int]
    yearbook_xlsx: str
    yearbook_observations: int
    yearbook_rows: int
    yearbook_sheets: list[str]
    yearbook_placeholders: int
    indicators: int
    scopes: int
    # The synthetic places' code list (areacodes result.csv layout): loaded first, so that
    # the gates check every code against it, as a real night checks real codes.
    code_records_csv: str = ""
    generator_version: int = GENERATOR_VERSION

    @property
    def tidy_path(self) -> Path:
        return Path(self.directory) / self.tidy_csv

    @property
    def yearbook_path(self) -> Path:
        return Path(self.directory) / self.yearbook_xlsx

    @property
    def code_records_path(self) -> Path:
        return Path(self.directory) / self.code_records_csv


# --------------------------------------------------------------------------- seeds


def _rows(name: str, seeds: Path) -> list[dict[str, str]]:
    return read_csv_rows(seeds / name)


def real_places(seeds: Path = SEEDS) -> list[Place]:
    """The cities of ``city_reference.csv``, sorted by code."""
    return sorted((Place(r["city_code"], r["city_name"], r["province_code"][:2],
                         r["province_name"]) for r in _rows("city_reference.csv", seeds)),
                  key=lambda p: p.code)


def _synthetic_places(real: list[Place]) -> Iterator[Place]:
    """County-level codes under the real prefectures, then under synthetic prefectures of
    the real provinces; never ending in 00, never a real seed code."""
    prefectures = {p.code[:4] for p in real}
    for county in range(1, 100):
        for city in real:
            yield Place(f"{city.code[:4]}{county:02d}", f"{city.name}合成{county:02d}区",
                        city.province_code, city.province_name)
    provinces = sorted({(p.province_code, p.province_name) for p in real})
    for prefecture in range(1, 100):
        for county in range(1, 100):
            for code, name in provinces:
                prefix = f"{code}{prefecture:02d}"
                if prefix not in prefectures:
                    yield Place(f"{prefix}{county:02d}",
                                f"{name}合成{prefecture:02d}{county:02d}县", code, name)


def place_pool(size: int, seeds: Path = SEEDS) -> list[Place]:
    """The first ``size`` places: the real cities, then synthetic county-level codes."""
    real = real_places(seeds)
    pool = real[:size]
    if size > len(pool):
        for place in _synthetic_places(real):
            pool.append(place)
            if len(pool) == size:
                break
    if len(pool) < size:
        raise ValueError(f"only {len(pool)} distinct 6-digit codes available, {size} asked")
    return pool


def _units(seeds: Path) -> dict[str, list[Unit]]:
    by_base: dict[str, list[Unit]] = {}
    for row in _rows("unit_factors.csv", seeds):
        base = row["base_unit"]
        factor = float(row["factor_to_base"])
        decimals = 1 if base == "percent" else (0 if base == "persons" and factor == 1 else 2)
        by_base.setdefault(base, []).append(Unit(row["unit"], factor, decimals))
    return by_base


def indicator_specs(seeds: Path = SEEDS) -> list[IndicatorSpec]:
    """Every indicator of the dictionary, with its synonyms, units and magnitudes."""
    synonyms: dict[str, list[str]] = {}
    for row in _rows("indicator_synonyms.csv", seeds):
        synonyms.setdefault(row["indicator_code"], []).append(row["synonym"])
    units = _units(seeds)
    specs = []
    for order, row in enumerate(_rows("indicators.csv", seeds)):
        code, base = row["indicator_code"], row["base_unit"]
        names = synonyms.get(code) or [code]
        header = next((n for n in names if not BRACKETS.search(n) and not n.isascii()),
                      row["name_zh"] if not BRACKETS.search(row["name_zh"]) else code)
        if code in RATES or base == "percent":
            low, high = RATES.get(code, RATE_BY_BASE)
            growth = None
        else:
            low, high, growth = LEVELS.get(code, LEVELS_BY_BASE.get(base, (1.0, 100.0, 0.0)))
        # Units that print the smallest figure as at least 1 (no 0.01 万元 per capita).
        fitting = tuple(u for u in units[base] if growth is None or low / u.factor >= 1)
        preferred = [u for label in YEARBOOK_UNITS.get(base, ()) for u in fitting
                     if u.label == label]
        specs.append(IndicatorSpec(order, code, base, tuple(names), header, fitting,
                                   (preferred or list(fitting))[0], low, high, growth))
    return specs


def scope_specs(seeds: Path = SEEDS) -> list[ScopeSpec]:
    labels: dict[str, list[str]] = {}
    for row in _rows("scopes.csv", seeds):
        labels.setdefault(row["scope_code"], []).append(row["scope_label"])
    return [ScopeSpec(order, code, tuple(names), SCOPE_FACTORS.get(code, 1.0))
            for order, (code, names) in enumerate(labels.items())]


# --------------------------------------------------------------------------- sizes


def tidy_shape(scale: int, places: int, combinations: int) -> tuple[int, int]:
    """(places, years) for about ``TIDY_OBSERVATIONS_1X * scale`` observations: the real
    cities first with as many years as needed (1x), then more places at every year."""
    target = TIDY_OBSERVATIONS_1X * scale
    max_years = LAST_DATA_YEAR - FIRST_PLAUSIBLE_YEAR + 1
    years = min(max_years, max(1, math.ceil(target / (places * combinations))))
    return max(places, math.ceil(target / (years * combinations))), years


def yearbook_rows(scale: int, columns: int) -> int:
    return math.ceil(YEARBOOK_OBSERVATIONS_1X * scale / columns)


# --------------------------------------------------------------------------- values


def _ratios(seeds: Path = SEEDS) -> dict[str, tuple[str, str]]:
    return {row["indicator_code"]: (row["numerator_code"], row["denominator_code"])
            for row in _rows("indicator_ratios.csv", seeds)}


def _value_sql(spec: IndicatorSpec, scope: str, year: str, salt: int,
               specs: dict[str, IndicatorSpec] | None = None) -> str:
    """The synthetic figure in base units, as a DuckDB expression over ``k`` (the code as
    an integer), ``year`` and the scope's order/factor columns or literals. A ratio
    indicator is its numerator's figure over its denominator's (``specs``: by code)."""
    ratio = _ratios().get(spec.code)
    if ratio and specs and all(code in specs for code in ratio):
        numerator, denominator = (_value_sql(specs[code], scope, year, salt) for code in ratio)
        return f"({numerator} / {denominator})"
    factor = "1.0" if spec.code in PER_PERSON else f"{scope}_factor"
    base = f"((k * 2654435761 + {spec.order} * 40503 + {salt}) % 1000003) / 1000003.0"
    noise = (f"((k * 97 + {year} * 7919 + {spec.order} * 131 + {scope}_order * 17 + {salt})"
             " % 1009) / 1009.0")
    if spec.growth is None:
        return f"({spec.low} + (0.5 * {base} + 0.5 * {noise}) * {spec.high - spec.low})"
    return (f"(({spec.low} + {base} * {spec.high - spec.low}) * pow({1 + spec.growth}, "
            f"{year} - {FIRST_PLAUSIBLE_YEAR}) * {factor} * (0.99 + 0.02 * {noise}))")


def _printf(value: str, decimals: str) -> str:
    return (f"case {decimals} when 0 then printf('%d', cast(round({value}) as bigint)) "
            f"when 1 then printf('%.1f', {value}) else printf('%.2f', {value}) end")


def _places_table(connection, places: list[Place]) -> None:
    import pandas as pd

    frame = pd.DataFrame({"k": [int(p.code) for p in places],
                          "code": [p.code for p in places],
                          "name": [p.name for p in places],
                          "province_code": [p.province_code for p in places]})
    connection.register("places_frame", frame)
    connection.execute("create or replace table places as select * from places_frame")
    connection.unregister("places_frame")


def write_tidy_csv(path: Path, places: list[Place], years: list[int],
                   indicators: list[IndicatorSpec], scopes: list[ScopeSpec]) -> int:
    """``COPY (places x years x indicators x scopes) TO path``; returns the row count."""
    import duckdb

    connection = duckdb.connect()
    try:
        _places_table(connection, places)
        connection.execute(f"create table years as select range::integer as year "
                           f"from range({years[0]}, {years[-1] + 1})")
        connection.execute("create table scopes (scope_order integer, scope_factor double, "
                           "labels varchar[])")
        for scope in scopes:
            connection.execute("insert into scopes values (?, ?, ?)",
                               [scope.order, scope.factor, list(scope.labels)])
        parts = []
        by_code = {spec.code: spec for spec in indicators}
        for spec in indicators:
            units = "[" + ", ".join(f"{{'label': '{u.label}', 'factor': {u.factor}, "
                                    f"'decimals': {u.decimals}}}" for u in spec.units) + "]"
            synonyms = "[" + ", ".join("'" + s.replace("'", "''") + "'"
                                       for s in spec.synonyms) + "]"
            unit = f"({units})[((k + year + scope_order) % {len(spec.units)}) + 1]"
            value = f"{_value_sql(spec, 'scope', 'year', 0, by_code)} / u.factor"
            parts.append(f"""
                select k, code, name, year, {spec.order} as indicator_order, scope_order,
                       {synonyms}[((k + year) % {len(spec.synonyms)}) + 1] as indicator,
                       labels[((k + year + {spec.order}) % len(labels)) + 1] as scope,
                       {_printf(value, 'u.decimals')} as value, u.label as unit
                from (select *, {unit} as u from places, years, scopes)""")
        connection.execute(f"""
            copy (select code as city_code, name as city_name, year as data_year,
                         indicator, scope, value, unit
                  from ({' union all '.join(parts)})
                  order by k, year, indicator_order, scope_order)
            to '{path}' (header, delimiter ',')""")
        return connection.execute(f"select count(*) from read_csv('{path}')").fetchone()[0]
    finally:
        connection.close()


def _yearbook_values(places: list[Place], indicators: list[IndicatorSpec],
                     scopes: list[ScopeSpec]) -> list[tuple]:
    """One tuple per place: code, name, province code, then one figure per column (in the
    column's unit, rounded to its decimals)."""
    import duckdb

    connection = duckdb.connect()
    try:
        _places_table(connection, places)
        columns = []
        by_code = {spec.code: spec for spec in indicators}
        for spec in indicators:
            unit = spec.yearbook_unit
            for scope in scopes:
                value = _value_sql(spec, "scope", str(YEARBOOK_DATA_YEAR), 1, by_code).replace(
                    "scope_order", str(scope.order)).replace("scope_factor", str(scope.factor))
                columns.append(f"round({value} / {unit.factor}, {unit.decimals})")
        return connection.execute(
            f"select k, code, name, province_code, {', '.join(columns)} from places "
            "order by province_code, k").fetchall()
    finally:
        connection.close()


def write_yearbook_xlsx(path: Path, places: list[Place], indicators: list[IndicatorSpec],
                        scopes: list[ScopeSpec]) -> tuple[int, int, list[str]]:
    """One sheet per province; returns (observations, placeholders, sheet names)."""
    from openpyxl import Workbook

    province_names = {p.province_code: p.province_name for p in places}
    header = ["代码", "城市"]
    scope_row: list[str | None] = [None, None]
    for spec in indicators:
        unit = spec.yearbook_unit.label
        label = f"{spec.header}({unit})" if spec.order % 2 == 0 else f"{spec.header}（{unit}）"
        header += [label] + [None] * (len(scopes) - 1)  # a merged cell: blanks to its right
        scope_row += [scope.labels[0] for scope in scopes]
    width = len(header) - 2
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "tools.bench.generate (synthetic benchmark)"
    workbook.properties.title = TITLE_MARK
    observations = placeholders = 0
    sheets: list[str] = []
    current = None
    sheet = None
    for row in _yearbook_values(places, indicators, scopes):
        k, code, name, province = row[:4]
        if province != current:
            if sheet is not None:
                sheet.append([SYNTHETIC_FOOTNOTE])
                sheet.append([SOURCE_FOOTNOTE])
            current = province
            title = province_names[province][:31]
            sheet = workbook.create_sheet(title)
            sheets.append(title)
            sheet.append([f"表1 {province_names[province]}城市主要指标（{YEARBOOK_DATA_YEAR}年）"
                          f" {TITLE_MARK}"])
            sheet.append(header)
            sheet.append(scope_row)
            sheet.append([None, "合计", *(["…"] * width)])
        cells: list[object] = [code, name]
        for column, value in enumerate(row[4:]):
            if (k * 31 + column * 17) % PLACEHOLDER_MODULUS == 0:
                cells.append(PLACEHOLDER)
                placeholders += 1
            else:
                cells.append(value)
                observations += 1
        sheet.append(cells)
    if sheet is not None:
        sheet.append([SYNTHETIC_FOOTNOTE])
        sheet.append([SOURCE_FOOTNOTE])
    workbook.save(path)
    return observations, placeholders, sheets


CODE_RECORDS_HEADER = ("代码", "一级行政区", "二级行政区", "名称", "级别", "状态", "启用时间",
                       "变更/弃用时间", "新代码")


def write_code_records(path: Path, places: list[Place], first_year: int) -> int:
    """The places' code list in the areacodes ``result.csv`` layout, every code in use
    since ``first_year``: seed cities as 地级 (municipalities 省级), synthetic places as
    县级 under their province."""
    real = {place.code for place in real_places()}
    rows = [CODE_RECORDS_HEADER]
    for place in places:
        level = ("省级" if place.code.endswith("0000") else "地级") if place.code in real \
            else "县级"
        rows.append((place.code, place.province_name, "", place.name, level, "在用",
                     str(first_year), "", ""))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return len(rows) - 1


def write_sidecar(data_file: Path, *, title: str, data_years: list[int],
                  published_on: dt.date, file_format: str) -> Path:
    path = data_file.with_name(data_file.name + SIDECAR_SUFFIX)
    years = (f"data_year: {data_years[0]}" if len(data_years) == 1
             else "data_years: [" + ", ".join(str(y) for y in data_years) + "]")
    lines = [
        "# SYNTHETIC benchmark release written by tools.bench.generate (`make bench`).",
        "# The figures are invented; they are not official statistics.",
        f"publisher: {PUBLISHER}",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"edition_year: {EDITION_YEAR}",
        years,
        f"published_on: {published_on.isoformat()}",
        "source_url: null",
        "license: CC0-1.0",
        f"format: {file_format}",
        "is_synthetic: true",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- entry points


def generate(scale: int, out_dir: Path, seeds: Path = SEEDS) -> Inputs:
    """Write both releases of ``scale`` (and their sidecars, and ``manifest.json``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    indicators = indicator_specs(seeds)
    scopes = scope_specs(seeds)
    combinations = len(indicators) * len(scopes)
    real = len(real_places(seeds))
    n_places, n_years = tidy_shape(scale, real, combinations)
    rows = yearbook_rows(scale, combinations)
    pool = place_pool(max(n_places, rows), seeds)
    years = list(range(LAST_DATA_YEAR - n_years + 1, LAST_DATA_YEAR + 1))

    tidy = out_dir / f"bench_tidy_{scale}x.csv"
    tidy_rows = write_tidy_csv(tidy, pool[:n_places], years, indicators, scopes)
    write_sidecar(tidy, title=f"{TITLE_MARK} - tidy CSV {scale}x: {n_places} places x "
                              f"{n_years} years x {len(indicators)} indicators x "
                              f"{len(scopes)} scopes (合成基准数据, 非官方数据)",
                  data_years=years, published_on=TIDY_PUBLISHED_ON, file_format="tidy_csv")
    yearbook = out_dir / f"bench_yearbook_{scale}x.xlsx"
    observations, placeholders, sheets = write_yearbook_xlsx(yearbook, pool[:rows],
                                                             indicators, scopes)
    write_sidecar(yearbook, title=f"{TITLE_MARK} - yearbook table {scale}x: {rows} places, "
                                  f"{len(sheets)} sheets, data year {YEARBOOK_DATA_YEAR} "
                                  "(合成基准数据, 非官方数据)",
                  data_years=[YEARBOOK_DATA_YEAR], published_on=YEARBOOK_PUBLISHED_ON,
                  file_format="yearbook_table")
    records = out_dir / f"bench_code_records_{scale}x.csv"
    write_code_records(records, pool, years[0])
    write_sidecar(records, title=f"{TITLE_MARK} - code list of the {len(pool)} places "
                                 "(合成基准数据, 非官方数据)",
                  data_years=[years[0]], published_on=TIDY_PUBLISHED_ON,
                  file_format="code_list_records")
    inputs = Inputs(scale, str(out_dir), tidy.name, tidy_rows, n_places, years, yearbook.name,
                    observations, rows, sheets, placeholders, len(indicators), len(scopes),
                    records.name)
    (out_dir / MANIFEST).write_text(json.dumps(asdict(inputs), ensure_ascii=False, indent=1),
                                    encoding="utf-8")
    return inputs


def ensure_inputs(scale: int, root: Path) -> Inputs:
    """The inputs of ``scale`` under ``root/<scale>/``: reused when present and of this
    generator version, else (re)generated (into a temporary folder, then renamed)."""
    target = root / str(scale)
    manifest = target / MANIFEST
    if manifest.exists():
        loaded = json.loads(manifest.read_text(encoding="utf-8"))
        if loaded.get("generator_version") == GENERATOR_VERSION:
            inputs = Inputs(**{**loaded, "directory": str(target)})
            if inputs.tidy_path.exists() and inputs.yearbook_path.exists():
                return inputs
    partial = root / f"{scale}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    generate(scale, partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    loaded = json.loads(manifest.read_text(encoding="utf-8"))
    return Inputs(**{**loaded, "directory": str(target)})


if __name__ == "__main__":
    import sys

    from citytiers.settings import load_settings

    root = load_settings().warehouse / "bench" / "inputs"
    for arg in sys.argv[1:] or ["1"]:
        print(json.dumps(asdict(ensure_inputs(int(arg), root)), ensure_ascii=False))
