"""The analytics report (``reports/analytics/index.html``) and city profiles
(``reports/analytics/city/<code>.html``), from the published marts: tier counts per year,
the trillion club, risers and fallers, overtakes (逆袭) and a province breakdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from citytiers.database import connect
from citytiers.errors import CitytiersError
from citytiers.report import charts
from citytiers.report.pages import data_mix, records, render, write_page
from citytiers.settings import Settings

# How many cities the risers / fallers chart and the overtakes tables show.
TOP_N = 10


class CityNotFound(CitytiersError):
    """The name given to ``citytiers report --city`` names no city, or several."""


def analytics_dir(settings: Settings) -> Path:
    return settings.reports / "analytics"


def _mix(con: Any) -> dict[str, Any]:
    synthetic, official = con.execute(
        "select coalesce(bool_or(is_synthetic), false), coalesce(bool_or(not is_synthetic), "
        "false) from marts.dim_release").fetchone()
    return data_mix(bool(synthetic), bool(official))


# The two series tiers are counted in (mart_city_tier_year.is_prefecture_level): a year's
# counts compare with another year's within one series only. County-level cities are tiered
# in the years their 城区 figure may size them, so mixing them in would make a year with
# more of them loaded look like a year with more cities.
TIER_SERIES = {True: ("Prefecture-level cities and municipalities", "地级及以上城市"),
               False: ("County-level cities", "县级市")}


def _tier_counts(con: Any, synthetic: bool) -> list[dict[str, Any]]:
    """Cities per tier and data year, one chart and table per series of TIER_SERIES that
    has rows: ``{"title", "svg", "tier_names", "rows"}``."""
    counts = con.execute("""
        select is_prefecture_level, data_year, tier, min(tier_order) as tier_order,
               count(*) as cities
        from marts.mart_city_tier_year group by all
        order by is_prefecture_level desc, data_year, tier_order""").df()
    series = []
    for prefecture_level, (name, name_zh) in TIER_SERIES.items():
        part = counts[counts["is_prefecture_level"] == prefecture_level]
        if part.empty:
            continue
        table = part.pivot_table(index="data_year", columns="tier", values="cities",
                                 fill_value=0, sort=False)
        order = part.drop_duplicates("tier").sort_values("tier_order")["tier"].tolist()
        table = table[order]
        svg = charts.stacked_bars([str(y) for y in table.index],
                                  {tier: table[tier].tolist() for tier in order},
                                  title=f"{name} per tier and data year {name_zh}各档城市数",
                                  ylabel="cities", synthetic=synthetic)
        series.append({"title": f"{name} {name_zh}", "svg": svg, "tier_names": order,
                       "rows": records(table.reset_index())})
    return series


def _trillion_club(con: Any, synthetic: bool) -> tuple[str, pd.DataFrame]:
    club = con.execute("""
        select data_year, count(*) as members,
               string_agg(city_name, '、' order by gdp_yuan desc) as cities,
               string_agg(case when joined_this_year then city_name end, '、'
                          order by gdp_yuan desc) as joined
        from marts.mart_trillion_club_year where is_member
        group by data_year order by data_year""").df()
    svg = charts.stacked_bars([str(y) for y in club["data_year"]],
                              {"members": club["members"].tolist()},
                              title="Trillion-yuan GDP club 万亿GDP城市", ylabel="cities",
                              synthetic=synthetic, colours={"members": "#2b5d8a"})
    return svg, club


def _latest_growth_year(con: Any) -> int | None:
    return con.execute("select max(data_year) from marts.mart_growth_ranking_year "
                       "where rank_change is not null").fetchone()[0]


def _risers_and_fallers(con: Any, year: int, synthetic: bool) -> tuple[str, pd.DataFrame]:
    moved = con.execute(f"""
        (select city_name, province_name, rank_change, previous_gdp_rank_national,
                gdp_rank_national, gdp_growth_nominal_pct
         from marts.mart_growth_ranking_year
         where data_year = $year and rank_change > 0
         order by rank_change desc, gdp_rank_national limit {TOP_N})
        union all
        (select city_name, province_name, rank_change, previous_gdp_rank_national,
                gdp_rank_national, gdp_growth_nominal_pct
         from marts.mart_growth_ranking_year
         where data_year = $year and rank_change < 0
         order by rank_change, gdp_rank_national limit {TOP_N})
        order by rank_change desc""", {"year": year}).df()
    svg = charts.diverging_bars(
        [f"{r.city_name} ({r.province_name})" for r in moved.itertuples()],
        moved["rank_change"].tolist(),
        title=f"Top risers and fallers in the national GDP rank, {year - 1}→{year} 排名升降",
        xlabel="places gained (+) or lost (-)", synthetic=synthetic)
    return svg, moved


def _overtakes(con: Any, comparison: str, limit: int) -> pd.DataFrame:
    return con.execute(f"""
        select data_year, city_name, peer_city_name, province_name,
               previous_rank_in_comparison, rank_in_comparison,
               peer_previous_rank_in_comparison, peer_rank_in_comparison, first_time,
               gdp_yuan, peer_gdp_yuan
        from marts.mart_overtakes where comparison = $comparison
        order by data_year desc, rank_in_comparison, city_name limit {limit}""",
                       {"comparison": comparison}).df()


def _province_top_entries(con: Any) -> pd.DataFrame:
    """Cities in their province's top N (var province_top_n) for the first time, on GDP per
    capita and per-capita disposable income (mart_city_measure_rank_year), latest first."""
    return con.execute("""
        select data_year, measure, province_name, city_name, rank_province,
               previous_rank_province, value
        from marts.mart_city_measure_rank_year
        where first_time_province_top_n and measure <> 'gdp'
        order by data_year desc, measure, province_name, rank_province""").df()


def _provinces(con: Any, synthetic: bool) -> tuple[str, pd.DataFrame, int | None]:
    """Prefecture-level cities (and municipalities) per tier and province in the latest
    year with any: one series (TIER_SERIES), the one the GDP column adds up."""
    year = con.execute("select max(data_year) from marts.mart_city_tier_year "
                       "where is_prefecture_level").fetchone()[0]
    counts = con.execute("""
        select province_name, tier, min(tier_order) as tier_order, count(*) as cities,
               sum(gdp_yuan) as gdp_yuan
        from marts.mart_city_tier_year where data_year = $year and is_prefecture_level
        group by all""", {"year": year}).df()
    if counts.empty:
        return "", counts, year
    table = counts.pivot_table(index="province_name", columns="tier", values="cities",
                               fill_value=0)
    order = counts.drop_duplicates("tier").sort_values("tier_order")["tier"].tolist()
    gdp = counts.groupby("province_name")["gdp_yuan"].sum()
    table = table[order].assign(gdp_yuan=gdp).sort_values("gdp_yuan", ascending=False)
    svg = charts.stacked_bars(list(table.index), {t: table[t].tolist() for t in order},
                              title=f"Prefecture-level cities per tier by province, {year} "
                                    "分省各档地级及以上城市",
                              ylabel="cities", synthetic=synthetic, horizontal=True)
    return svg, table.reset_index(), year


def write_analytics(settings: Settings) -> Path | None:
    """Render ``reports/analytics/index.html`` from the published database (None when
    nothing is published yet)."""
    if not settings.published_db.exists():
        return None
    target = analytics_dir(settings) / "index.html"
    with connect(settings.published_db, read_only=True) as con:
        mix = _mix(con)
        synthetic = mix["synthetic"]
        tier_series = _tier_counts(con, synthetic)
        club_svg, club = _trillion_club(con, synthetic)
        year = _latest_growth_year(con)
        movers_svg, movers = (_risers_and_fallers(con, year, synthetic) if year
                              else ("", pd.DataFrame()))
        national = _overtakes(con, "national", 3 * TOP_N)
        provincial = _overtakes(con, "province", 3 * TOP_N)
        provinces_svg, provinces, province_year = _provinces(con, synthetic)
        top_entries = _province_top_entries(con)
        cities = con.execute("""
            select city_code, city_name, province_name from marts.mart_city_tier_year
            qualify row_number() over (partition by city_code order by data_year desc) = 1
            order by province_name, city_code""").df()
    html = render("analytics.html.j2", title="citytiers analytics 城市分档与排名",
                  nav=[("Analytics", "index.html"), ("Data quality", "../quality/index.html")],
                  data_mix=mix, source=str(settings.published_db),
                  tier_series=tier_series,
                  club_svg=club_svg, club=records(club),
                  movers_year=year, movers_svg=movers_svg, movers=records(movers),
                  national=records(national),
                  provincial=records(provincial), top_entries=records(top_entries),
                  provinces_svg=provinces_svg, province_year=province_year,
                  provinces=records(provinces),
                  province_tiers=[c for c in provinces.columns
                                  if c not in ("province_name", "gdp_yuan")],
                  cities=records(cities))
    return write_page(target, html)


def find_city(con: Any, name: str) -> tuple[str, str]:
    """(code, name) of the one city whose name is ``name`` or starts with it (苏州 ->
    苏州市), or whose code it is. Raises CityNotFound naming the candidates."""
    found = con.execute("""
        select distinct city_code, city_name from marts.mart_city_tier_year
        where city_code = $name or city_name = $name or starts_with(city_name, $name)
        order by city_code""", {"name": name.strip()}).fetchall()
    exact = [row for row in found if row[1] == name.strip() or row[0] == name.strip()]
    codes = {code for code, _ in (exact or found)}
    if len(codes) == 1:
        return (exact or found)[0]
    if not found:
        raise CityNotFound(f"no city named {name!r} in the published marts "
                           "(try the name as printed, e.g. 苏州 or 苏州市, or its code)")
    listed = ", ".join(f"{n} ({c})" for c, n in found)
    raise CityNotFound(f"{name!r} names several cities: {listed}; give the full name or code")


def write_city_profile(settings: Settings, name: str) -> Path:
    """Render ``reports/analytics/city/<code>.html`` for one city. Raises CityNotFound."""
    if not settings.published_db.exists():
        raise CityNotFound("nothing is published yet: run the nightly DAG first (make run)")
    with connect(settings.published_db, read_only=True) as con:
        mix = _mix(con)
        code, city_name = find_city(con, name)
        growth = con.execute("""
            select data_year, gdp_yuan / 1e8 as gdp_yi, gdp_rank_national,
                   gdp_rank_province, rank_change, gdp_growth_nominal_pct,
                   gdp_growth_real_pct, gdp_per_capita_yuan
            from marts.mart_growth_ranking_year where city_code = $code
            order by data_year""", {"code": code}).df()
        tiers = con.execute("""
            select data_year, tier, reason, size_class_name_zh, size_class_basis_year,
                   is_trillion_club, missing_inputs
            from marts.mart_city_tier_year where city_code = $code
            order by data_year""", {"code": code}).df()
        figures = con.execute("""
            select data_year, indicator_name_zh, indicator_code, scope, value, base_unit,
                   vintage_count, file_name, published_on::date as published_on
            from marts.fct_city_indicator where city_code = $code
            order by indicator_code, scope, data_year""", {"code": code}).df()
        province = con.execute("select province_name from marts.mart_city_tier_year "
                               "where city_code = $code limit 1", {"code": code}).fetchone()[0]
    synthetic = mix["synthetic"]
    years = growth["data_year"].tolist()
    gdp_svg = charts.line(years, {"GDP (亿元)": growth["gdp_yi"].tolist()},
                          title=f"{city_name} GDP 地区生产总值 (亿元)", ylabel="亿元",
                          synthetic=synthetic) if years else ""
    rank_svg = charts.line(years, {"national 全国": growth["gdp_rank_national"].tolist(),
                                   "province 省内": growth["gdp_rank_province"].tolist()},
                           title=f"{city_name} GDP rank 排名", ylabel="rank",
                           synthetic=synthetic, invert=True) if years else ""
    target = analytics_dir(settings) / "city" / f"{code}.html"
    html = render("city.html.j2", title=f"{city_name} ({code}) · citytiers city profile",
                  nav=[("Analytics", "../index.html"),
                       ("Data quality", "../../quality/index.html")],
                  data_mix=mix, source=str(settings.published_db), city_name=city_name,
                  city_code=code, province=province, gdp_svg=gdp_svg, rank_svg=rank_svg,
                  growth=records(growth), tiers=records(tiers),
                  figures=records(figures))
    return write_page(target, html)
