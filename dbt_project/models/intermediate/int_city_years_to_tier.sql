-- One row per (city_code, data_year) to tier, in two series that are compared only within
-- themselves (is_prefecture_level): prefecture-level cities and municipalities
-- (int_prefecture_city_years_to_tier) and county-level cities
-- (int_county_level_city_years_to_tier), each tiered in every tier year (int_tier_years)
-- it has an input for. The press counts "over 200 cities with 0.5-3 million" include the
-- county-level cities. County-level cities enter only the tiers; GDP rankings and the
-- trillion club stay prefecture-level.

with int_prefecture_city_years_to_tier as (

    select * from {{ ref('int_prefecture_city_years_to_tier') }}

),

int_county_level_city_years_to_tier as (

    select * from {{ ref('int_county_level_city_years_to_tier') }}

),

city_years_to_tier as (

    select * from int_prefecture_city_years_to_tier
    union all
    select * from int_county_level_city_years_to_tier

)

select * from city_years_to_tier
