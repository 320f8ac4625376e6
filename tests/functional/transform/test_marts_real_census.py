"""Real census files through the normal ingestion path, then dbt: size classes, tiers and
population change checked against the official lists in DOMAIN.md and the files
themselves (not against our own parser)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from citytiers.settings import SAMPLE_RELEASES_DIR

# Slow: builds the marts on real census releases (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

# NBS, 《2020中国人口普查分县资料》, as listed in DOMAIN.md.
SUPER_LARGE = {"上海", "北京", "深圳", "重庆", "广州", "成都", "天津"}
MEGA = {"武汉", "东莞", "西安", "杭州", "佛山", "南京", "沈阳", "青岛", "济南", "长沙", "哈尔滨",
        "郑州", "昆明", "大连"}
LARGE_1 = {"南宁", "石家庄", "厦门", "太原", "苏州", "贵阳", "合肥", "乌鲁木齐", "宁波", "无锡",
           "福州", "长春", "南昌", "常州"}
CENSUS_FILES = ("census/census_county_2020_v1.xlsx", "census/census_city_2010-2020_v1.csv")
# Loaded first: the gates check every census code against them.
CODE_RECORDS = "areacodes/result.csv"
CORPS_CITIES = [f"6590{n:02d}" for n in range(1, 11)]  # 石河子 ... 胡杨河


# The tier panel of the tests below: years with a GDP figure for every prefecture-level
# city (the samples' 106 from 2018, write_synthetic_gdp for the rest), but 2020, where only the
# samples' cities have one (test_over_200... checks what a missing GDP does then).
PANEL_YEARS = range(2012, 2022)
GDP_GAP_YEAR = 2020
SAMPLE_YEARS = range(2018, 2024)


def prefecture_level_cities(code_records: Path, year: int) -> dict[str, str]:
    """Code -> name of every prefecture-level city and municipality in the year-end list
    of ``year``, from the real code records (地级 or 省级 units whose name ends in 市)."""
    cities = {}
    with code_records.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            ends = row["变更/弃用时间"]
            if (row["级别"] in ("地级", "省级") and row["名称"].endswith("市")
                    and int(row["启用时间"]) <= year and (not ends or year < int(ends))):
                cities[row["代码"]] = row["名称"]
    return cities


def write_synthetic_gdp(folder: Path, code_records: Path) -> Path:
    """A SYNTHETIC whole-city GDP release (tidy CSV, sidecar is_synthetic: true), written
    for this test only: invented figures, not official statistics. Every prefecture-level
    city of each year of PANEL_YEARS that the samples leave without a GDP figure (all
    before 2018; the cities other than the samples' 106 after), except in GDP_GAP_YEAR.
    The samples' cities before 2018: their 2018 sample GDP over 1.07 a year back (the gates
    compare adjacent years); the others 1500 亿元 in 2012, plus 6 % a year (all below the
    trillion: no city here is head by GDP)."""
    with (SAMPLE_RELEASES_DIR / "sample_communique_2018.csv").open(encoding="utf-8") as handle:
        sampled = {row["city_code"]: float(row["value"]) for row in csv.DictReader(handle)
                   if row["indicator"] == "gdp" and row["scope"] == "全市"}
    folder.mkdir()
    release = folder / "synthetic_gdp_2012-2021.csv"
    with release.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["city_code", "city_name", "data_year", "indicator", "scope", "value",
                      "unit"])
        for year in PANEL_YEARS:
            for code, name in prefecture_level_cities(code_records, year).items():
                if year == GDP_GAP_YEAR or (code in sampled and year in SAMPLE_YEARS):
                    continue
                gdp = (sampled[code] / 1.07 ** (2018 - year) if code in sampled
                       else 1500 * 1.06 ** (year - 2012))
                out.writerow([code, name, year, "gdp", "全市", f"{gdp:.2f}", "亿元"])
    release.with_name(release.name + ".release.yml").write_text(
        f"# SYNTHETIC test release written by {Path(__file__).name}: invented GDP figures,\n"
        "# not official statistics.\n"
        "publisher: test\n"
        'title: "SYNTHETIC TEST - 地级市地区生产总值 2012-2021 (测试用, 非官方数据)"\n'
        "edition_year: 2022\n"
        f"data_years: [{', '.join(str(y) for y in PANEL_YEARS if y != GDP_GAP_YEAR)}]\n"
        "published_on: 2022-06-30\n"
        "license: CC0-1.0\n"
        "format: tidy_csv\n"
        "release_kind: communique\n"
        "is_synthetic: true\n", encoding="utf-8")
    return release


@pytest.fixture(scope="module")
def warehouse(shared_data: Path, load_releases, tmp_path_factory) -> Path:
    """Samples (synthetic GDP) plus the two real census files (and the code records they
    are checked against), loaded like any release; and a SYNTHETIC GDP release for the
    prefecture-level cities the samples do not cover (write_synthetic_gdp), so that the
    tiers span 2012-2021."""
    census = [shared_data / name for name in (CODE_RECORDS, *CENSUS_FILES)]
    gdp = write_synthetic_gdp(tmp_path_factory.mktemp("synthetic") / "gdp",
                              shared_data / CODE_RECORDS)
    return load_releases("real", SAMPLE_RELEASES_DIR, *census, gdp,
                         build_marts=True).build_db


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db)) as connection:
        return connection.execute(sql).fetchall()


def short(name: str) -> str:
    return name.removesuffix("市")


@pytest.mark.functional
def test_census_size_classes_reproduce_the_official_2020_lists(warehouse: Path) -> None:
    classes: dict[str, set[str]] = {}
    for name, size_class in rows(warehouse, """
            select city_name, size_class from marts.mart_city_size_class
            where basis = 'census_chengqu' and data_year = 2020
              and size_class in ('super_large', 'mega', 'large_1')"""):
        classes.setdefault(size_class, set()).add(short(name))
    assert classes == {"super_large": SUPER_LARGE, "mega": MEGA, "large_1": LARGE_1}


@pytest.mark.functional
def test_tiers_2020_use_the_census_basis(warehouse: Path) -> None:
    tiers = {code: (tier, basis, size_class, reason) for code, tier, basis, size_class, reason
             in rows(warehouse, """
            select city_code, tier, size_class_basis, size_class, reason
            from marts.mart_city_tier_year where data_year = 2020""")}
    with_class = [v for v in tiers.values() if v[2] is not None]
    assert len(with_class) >= 280  # every prefecture-level unit with a census 城区 figure
    assert {v[1] for v in with_class} == {"census_chengqu"}
    # Foshan: census 城区 8.54M -> mega -> head by population, whatever its GDP.
    tier, _, size_class, reason = tiers["440600"]
    assert (tier, size_class) == ("head", "mega") and "urban-area population" in reason


@pytest.mark.functional
def test_population_change_equals_the_census_file(shared_data: Path, warehouse: Path) -> None:
    with (shared_data / CENSUS_FILES[1]).open(encoding="utf-8-sig", newline="") as handle:
        source = {row["city_code"]: row for row in csv.DictReader(handle)}
    change = {code: (comparable, persons, pct, rank) for code, comparable, persons, pct, rank
              in rows(warehouse, """
            select city_code, is_comparable, change_persons, change_pct, change_rank_national
            from marts.mart_population_change""")}
    for code in ("440300", "510100", "321300"):  # Shenzhen, Chengdu, Suqian
        before, after = float(source[code]["popu_2010"]), float(source[code]["popu_2020"])
        comparable, persons, pct, rank = change[code]
        assert comparable and rank is not None
        assert persons == pytest.approx(after - before)
        assert pct == pytest.approx(100 * (after - before) / before)
    # Shenzhen gained the most people of any city between the censuses.
    assert change["440300"][3] == 1
    for code in ["460300", *CORPS_CITIES]:  # Sansha, the Xinjiang corps cities
        comparable, persons, _, rank = change[code]
        assert comparable is False and persons is None and rank is None, code


# The 2020 census county volume (分县资料), DOMAIN.md: the 683 cities, prefecture- and
# county-level, with a 城区 population, by size class. One press source says 71 type-II
# large cities; the file gives 70, and so does this warehouse.
CENSUS_2020_CLASS_COUNTS = {"super_large": 7, "mega": 14, "large_1": 14, "large_2": 70,
                            "medium": 135, "small_1": 254, "small_2": 189}


@pytest.mark.functional
def test_census_2020_size_classes_count_every_city_with_a_chengqu_population(
        warehouse: Path) -> None:
    counts = dict(rows(warehouse, """
        select size_class, count(*) from marts.mart_city_size_class
        where basis = 'census_chengqu' and data_year = 2020 group by size_class"""))
    assert counts == CENSUS_2020_CLASS_COUNTS


@pytest.mark.functional
def test_over_200_cities_have_half_a_million_to_three_million(warehouse: Path) -> None:
    """The article's "城区人口在50万-300万之间的城市超过200个" counts county-level cities (昆山,
    义乌, 晋江 ...) too: 205 in 2020 (28 of them county-level), all tiered; a county-level
    city is waist in that band (the press scheme has no head rule for it), a
    prefecture-level one waist unless a head rule holds (a capital, a trillion-yuan GDP)."""
    banded = rows(warehouse, """
        select city_level, tier, count(*) from marts.mart_city_tier_year
        where data_year = 2020 and size_class_basis = 'census_chengqu'
          and urban_population_persons >= 500000 and urban_population_persons < 3000000
        group by all order by all""")
    assert sum(n for *_, n in banded) == 205
    county = {tier: n for level, tier, n in banded if level == "county_level_city"}
    assert county == {"waist": 28}  # 昆山, 义乌, 晋江 ... (the file gives 28)
    # Only the samples' 106 cities have a GDP in 2020 (GDP_GAP_YEAR): any other
    # prefecture-level city in the band could be head by GDP, so it is unclassified (missing
    # gdp), never waist by default.
    assert {tier for level, tier, _ in banded if level != "county_level_city"} \
        == {"head", "waist", "unclassified"}
    assert rows(warehouse, """
        select distinct missing_inputs from marts.mart_city_tier_year
        where data_year = 2020 and tier = 'unclassified'""") == [("gdp",)]
    named = {name for (name,) in rows(warehouse, """
        select city_name from marts.mart_city_tier_year
        where data_year = 2020 and city_level = 'county_level_city' and tier = 'waist'""")}
    assert {"昆山市", "义乌市", "晋江市"} <= named


# Tiers over the whole panel, each level a series of its own (is_prefecture_level).
# County-level cities (县级市) are tiered in every tier year their 2020 census 城区 figure
# may size them (size_class_max_age_years 10, a later figure allowed: 2010-2030), while
# they are county-level cities: the series grows only as counties became cities (扶余,
# 弥勒, 玉树 in 2013 ... 13 in 2018, 12 in 2019, 龙南 alone in 2020); recoded cities (简阳
# 510185, 公主岭 220184) are in it before their new code. Before this, they were tiered
# in 2020 only (0 in every other year, 386 in 2020).
COUNTY_LEVEL_CITIES = {2012: 338, 2013: 341, 2014: 344, 2015: 350, 2016: 354, 2017: 360,
                       2018: 373, 2019: 385, 2020: 386, 2021: 386}
# Prefecture-level cities and municipalities: 289 in 2012 to 297 as 地区 became cities
# (海东 2013 ... 那曲), 莱芜 merged into 济南 (2018); in 2020 三沙 has no figure at all.
PREFECTURE_LEVEL_CITIES = {2012: 289, 2013: 290, 2014: 292, 2015: 295, 2016: 297,
                           2017: 298, 2018: 297, 2019: 297, 2020: 296, 2021: 297}
# Waist, prefecture-level: GDP < 1 trillion and 城区 0.5-3 million, not a capital. 2020:
# only the samples' cities have a GDP (the 110 others in the band are unclassified);
# 2021: 南通 and 泉州 joined the trillion club (the samples) in 2020, so are head.
PREFECTURE_LEVEL_WAIST = {2012: 171, 2013: 171, 2014: 171, 2015: 171, 2016: 171,
                          2017: 171, 2018: 171, 2019: 171, 2020: 59, 2021: 169}
KUNSHAN_YIWU_JINJIANG = {"320583": "昆山市", "330782": "义乌市", "350582": "晋江市"}


def tier_counts(db: Path, tier: str | None = None) -> dict[tuple[int, bool], int]:
    """(data year, is_prefecture_level) -> cities in the panel years (of one tier)."""
    of_tier = f"and tier = '{tier}'" if tier else ""
    return {(year, prefecture): n for year, prefecture, n in rows(db, f"""
        select data_year, is_prefecture_level, count(*) from marts.mart_city_tier_year
        where data_year between {min(PANEL_YEARS)} and {max(PANEL_YEARS)} {of_tier}
        group by all""")}


@pytest.mark.functional
@pytest.mark.realdata
def test_county_level_cities_are_tiered_in_every_year_the_policy_allows(
        warehouse: Path) -> None:
    """昆山, 义乌 and 晋江 are waist in 2015 and 2021 as in 2020: every year of the panel
    takes their 2020 census 城区 figure (a later one before 2020, flagged)."""
    found = rows(warehouse, f"""
        select city_code, city_name, data_year, tier, reason, size_class_basis,
               size_class_basis_year, size_class_basis_is_later, is_prefecture_level
        from marts.mart_city_tier_year
        where city_code in {tuple(KUNSHAN_YIWU_JINJIANG)} order by city_code, data_year""")
    assert {(code, year) for code, _, year, *_ in found} == {
        (code, year) for code in KUNSHAN_YIWU_JINJIANG for year in range(2012, 2024)}
    for code, name, year, tier, reason, basis, basis_year, later, prefecture in found:
        assert (name, tier, basis, basis_year, later, prefecture) == (
            KUNSHAN_YIWU_JINJIANG[code], "waist", "census_chengqu", 2020, year < 2020, False)
        assert reason == "waist: county-level city, urban-area population 0.5-3 million"


@pytest.mark.functional
@pytest.mark.realdata
def test_each_level_is_a_series_without_a_jump_at_the_census_year(warehouse: Path) -> None:
    everyone = tier_counts(warehouse)
    assert {y: everyone[y, False] for y in PANEL_YEARS} == COUNTY_LEVEL_CITIES
    assert {y: everyone[y, True] for y in PANEL_YEARS} == PREFECTURE_LEVEL_CITIES
    # The 28 county-level cities with 0.5-3 million 城区 residents are waist every year.
    county_waist = tier_counts(warehouse, "waist")
    assert {county_waist[y, False] for y in PANEL_YEARS} == {28}
    county = {year: {code for (code,) in rows(warehouse, f"""
        select city_code from marts.mart_city_tier_year
        where data_year = {year} and not is_prefecture_level""")} for year in PANEL_YEARS}
    for year in PANEL_YEARS[1:]:
        assert county[year - 1] <= county[year], year  # none leaves the series by 2021
    assert county[2020] - county[2019] == {"360783"}  # 龙南市, a county until 2020
    assert county[2021] == county[2020]
    assert {"510185", "220184"} <= county[2012]  # 简阳, 公主岭: recoded county-level cities
    assert "430182" not in county[2016] and "430182" in county[2017]  # 宁乡县 -> 宁乡市
    assert "330383" not in county[2018] and "330383" in county[2019]  # 龙港, new in 2019
    # Every county-level row is sized by the 2020 census, a later figure before 2020.
    assert rows(warehouse, """
        select distinct size_class_basis, size_class_basis_year,
               size_class_basis_is_later = (data_year < 2020)
        from marts.mart_city_tier_year where not is_prefecture_level""") == [
        ("census_chengqu", 2020, True)]


@pytest.mark.functional
@pytest.mark.realdata
def test_prefecture_level_waist_is_well_over_100_where_gdp_is_known(warehouse: Path) -> None:
    waist = tier_counts(warehouse, "waist")
    assert {y: waist[y, True] for y in PANEL_YEARS} == PREFECTURE_LEVEL_WAIST
    # 2020, where only the samples' cities have a GDP: each other city in the band could
    # be head by GDP, so it is unclassified; with its 2021 GDP it is waist.
    [(unclassified, waist_next_year)] = rows(warehouse, """
        select count(*), count(*) filter (where next_year.tier = 'waist')
        from marts.mart_city_tier_year as t
        join marts.mart_city_tier_year as next_year
          on next_year.city_code = t.city_code and next_year.data_year = 2021
        where t.data_year = 2020 and t.is_prefecture_level and t.tier = 'unclassified'
          and t.missing_inputs = 'gdp'
          and t.urban_population_persons >= 500000 and t.urban_population_persons < 3000000
          and t.reason like 'unclassified: no gdp figure, and with it the city could be head%'""")
    assert (unclassified, waist_next_year) == (110, 110)
    assert PREFECTURE_LEVEL_WAIST[2020] + unclassified == PREFECTURE_LEVEL_WAIST[2021]


@pytest.mark.functional
@pytest.mark.realdata
def test_no_prefecture_level_city_is_tail_for_want_of_an_urban_population(
        warehouse: Path) -> None:
    """A prefecture-level city-year without a 城区 figure within the policy is unclassified
    (it could be head by urban population), naming the missing input, unless a head rule
    holds: 莱芜 (merged into 济南 in 2018, not in the 2020 census) and 三沙 (no 城区 figure)."""
    without = rows(warehouse, """
        select city_code, data_year, tier, missing_inputs, reason
        from marts.mart_city_tier_year
        where is_prefecture_level and urban_population_persons is null""")
    assert {(code, year) for code, year, *_ in without} == {
        *(("371200", year) for year in range(2012, 2018)),
        *(("460300", year) for year in [*range(2012, 2020), 2021])}
    for *_, tier, missing, reason in without:
        assert (tier, missing) == ("unclassified", "urban_population")
        assert reason.startswith("unclassified: no urban_population figure, and with it "
                                 "the city could be head (urban-area population >= 3 million")


@pytest.mark.functional
@pytest.mark.realdata
def test_the_analytics_report_counts_the_two_levels_apart(warehouse: Path) -> None:
    """One chart and table per series (prefecture-level first), never one sum of both."""
    from citytiers.report.analytics import _tier_counts

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        series = _tier_counts(connection, synthetic=True)
    assert [s["title"] for s in series] == [
        "Prefecture-level cities and municipalities 地级及以上城市", "County-level cities 县级市"]
    cities = [{row["data_year"]: sum(row[tier] for tier in s["tier_names"])
               for row in s["rows"]} for s in series]
    assert {y: cities[0][y] for y in PANEL_YEARS} == PREFECTURE_LEVEL_CITIES
    assert {y: cities[1][y] for y in PANEL_YEARS} == COUNTY_LEVEL_CITIES
    assert all(s["svg"].startswith("<svg") for s in series)
