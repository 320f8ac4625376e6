-- One row per prefecture-level city (or municipality) and data year with at least one
-- whole-city GDP / GDP per capita / real growth / resident population / per-capita
-- disposable income figure or an urban-area (城区) population figure: the latest vintages
-- pivoted into columns, with the city's classification in that data year (the
-- int_cities_classified row whose data-year range holds it: 420600 is 襄樊市 in 2009 and
-- 襄阳市 in 2010; 522400 毕节地区 is not a prefecture-level city, 520500 毕节市 is). The input
-- of the tiers (int_prefecture_city_years_to_tier), the growth ranking
-- (int_city_year_gdp_compared), the trillion club and the measure ranks. The figures and
-- their basis choice: int_code_year_latest_figures.

with int_code_year_latest_figures as (

    select * from {{ ref('int_code_year_latest_figures') }}

),

int_cities_classified as (

    select * from {{ ref('int_cities_classified') }}

),

city_years_pivoted as (

    select
        int_code_year_latest_figures.city_code,
        int_cities_classified.city_name,
        int_cities_classified.province_code,
        int_cities_classified.province_name,
        int_cities_classified.city_level,
        int_cities_classified.is_provincial_capital,
        int_cities_classified.is_municipality,
        int_code_year_latest_figures.data_year,
        int_code_year_latest_figures.gdp_yuan,
        int_code_year_latest_figures.gdp_release_id,
        int_code_year_latest_figures.gdp_per_capita_reported_yuan,
        int_code_year_latest_figures.gdp_growth_real_pct,
        int_code_year_latest_figures.population_resident_persons,
        int_code_year_latest_figures.population_resident_basis,
        int_code_year_latest_figures.disposable_income_per_capita_yuan,
        int_code_year_latest_figures.has_urban_area_population
    from int_code_year_latest_figures
    inner join int_cities_classified
        on int_code_year_latest_figures.city_code = int_cities_classified.city_code
        and {{ valid_in_data_year('int_cities_classified', 'int_code_year_latest_figures.data_year') }}
    where int_cities_classified.is_prefecture_level

)

select * from city_years_pivoted
