-- One row per prefecture-level city (or municipality) and data year to tier: every
-- city-year of int_prefecture_city_year_figures with a whole-city GDP or an urban-area
-- (城区) population figure, in the columns of int_city_years_to_tier. Its own model
-- because these years also decide in which years the county-level cities are tiered
-- (int_tier_years).

with int_prefecture_city_year_figures as (

    select * from {{ ref('int_prefecture_city_year_figures') }}

),

prefecture_city_years as (

    select
        city_code,
        city_name,
        province_code,
        province_name,
        city_level,
        true as is_prefecture_level,   -- int_prefecture_city_year_figures has no other rows
        is_provincial_capital,
        is_municipality,
        data_year,
        gdp_yuan,
        has_urban_area_population
    from int_prefecture_city_year_figures
    where gdp_yuan is not null
        or has_urban_area_population

)

select * from prefecture_city_years
