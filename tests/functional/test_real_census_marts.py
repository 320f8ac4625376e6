"""Real census files through the normal ingestion path, then dbt: size classes, tiers and
population change checked against the official lists in DOMAIN.md and the files
themselves (not against our own parser)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from citytiers.settings import SAMPLE_RELEASES_DIR

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


@pytest.fixture(scope="module")
def warehouse(shared_data: Path, load_releases) -> Path:
    """Samples (synthetic GDP) plus the two real census files (and the code records they
    are checked against), loaded like any release."""
    census = [shared_data / name for name in (CODE_RECORDS, *CENSUS_FILES)]
    return load_releases("real", SAMPLE_RELEASES_DIR, *census, build_marts=True).build_db


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
    # Only the samples' 106 cities have a GDP here: any other prefecture-level city in the
    # band could be head by GDP, so it is unclassified (missing gdp), never waist by default.
    assert {tier for level, tier, _ in banded if level != "county_level_city"} \
        == {"head", "waist", "unclassified"}
    assert rows(warehouse, """
        select distinct missing_inputs from marts.mart_city_tier_year
        where data_year = 2020 and tier = 'unclassified'""") == [("gdp",)]
    named = {name for (name,) in rows(warehouse, """
        select city_name from marts.mart_city_tier_year
        where data_year = 2020 and city_level = 'county_level_city' and tier = 'waist'""")}
    assert {"昆山市", "义乌市", "晋江市"} <= named
