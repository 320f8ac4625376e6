-- One row per (city_code, data_year) to tier: every prefecture-level city (and
-- municipality) year with a whole-city GDP or an urban-area (城区) population figure
-- (int_city_years_pivoted), and every county-level city (县级市: 昆山, 义乌, 晋江 ...) year
-- with a 城区 figure, when such figures are loaded (the 2020 census county volume has them):
-- the press counts "over 200 cities with 0.5-3 million" include them. County-level cities
-- enter only the tiers; GDP rankings and the trillion club stay prefecture-level.

with int_city_years_pivoted as (

    select * from {{ ref('int_city_years_pivoted') }}

),

int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

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

urban_area_years as (

    select distinct
        city_code,
        data_year
    from int_observations_ranked
    where vintage_rank = 1
        and scope = 'urban_area'
        and indicator_code = 'population_urban_area'

),

whole_city_gdp as (

    select
        city_code,
        data_year,
        max(value) as gdp_yuan
    from int_observations_ranked
    where vintage_rank = 1
        and scope = 'whole_city'
        and indicator_code = 'gdp'
        and basis = 'reported'
    group by
        city_code,
        data_year

),

county_city_years as (

    select
        urban_area_years.city_code,
        int_cities_classified.city_name,
        int_cities_classified.province_code,
        int_cities_classified.province_name,
        int_cities_classified.city_level,
        int_cities_classified.is_provincial_capital,
        int_cities_classified.is_municipality,
        urban_area_years.data_year,
        whole_city_gdp.gdp_yuan,
        true as has_urban_area_population
    from urban_area_years
    inner join int_cities_classified
        on urban_area_years.city_code = int_cities_classified.city_code
        and {{ valid_in_data_year('int_cities_classified', 'urban_area_years.data_year') }}
    left join whole_city_gdp
        on urban_area_years.city_code = whole_city_gdp.city_code
        and urban_area_years.data_year = whole_city_gdp.data_year
    where int_cities_classified.city_level = 'county_level_city'

)

select * from prefecture_city_years
union all
select * from county_city_years
