-- One row per (city_code, data_year) to tier: every prefecture-level city (and
-- municipality) year with a whole-city GDP or an urban-area (城区) population figure
-- (int_city_years_pivoted), and every county-level city (县级市: 昆山, 义乌, 晋江 ...) year
-- with a 城区 figure, when such figures are loaded (the 2020 census county volume has them):
-- the press counts "over 200 cities with 0.5-3 million" include them. County-level cities
-- enter only the tiers; GDP rankings and the trillion club stay prefecture-level. Their
-- years and GDP (the latest on the basis 'reported') come from int_city_year_figures.

with int_city_years_pivoted as (

    select * from {{ ref('int_city_years_pivoted') }}

),

int_city_year_figures as (

    select * from {{ ref('int_city_year_figures') }}

),

int_cities_classified as (

    select * from {{ ref('int_cities_classified') }}

),

prefecture_city_years as (

    select
        city_code,
        city_name,
        province_code,
        province_name,
        city_level,
        is_provincial_capital,
        is_municipality,
        data_year,
        gdp_yuan,
        has_urban_area_population
    from int_city_years_pivoted
    where gdp_yuan is not null
        or has_urban_area_population

),

county_city_years as (

    select
        int_city_year_figures.city_code,
        int_cities_classified.city_name,
        int_cities_classified.province_code,
        int_cities_classified.province_name,
        int_cities_classified.city_level,
        int_cities_classified.is_provincial_capital,
        int_cities_classified.is_municipality,
        int_city_year_figures.data_year,
        int_city_year_figures.gdp_reported_yuan as gdp_yuan,
        int_city_year_figures.has_urban_area_population
    from int_city_year_figures
    inner join int_cities_classified
        on int_city_year_figures.city_code = int_cities_classified.city_code
        and {{ valid_in_data_year('int_cities_classified', 'int_city_year_figures.data_year') }}
    where int_city_year_figures.has_urban_area_population
        and int_cities_classified.city_level = 'county_level_city'

)

select * from prefecture_city_years
union all
select * from county_city_years
