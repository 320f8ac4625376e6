-- One row per (city_code, data_year): the tier of every prefecture-level city (and
-- municipality) and county-level city under the default scheme, var('tier_scheme')
-- (press_2023: head / waist / tail as defined by the 2023 press), the two series apart by
-- is_prefecture_level. Every scheme is in mart_city_tier_year_all_schemes.

with mart_city_tier_year_all_schemes as (

    select * from {{ ref('mart_city_tier_year_all_schemes') }}

),

default_scheme_tiers as (

    select * from mart_city_tier_year_all_schemes
    where scheme = '{{ var("tier_scheme") }}'

)

select * from default_scheme_tiers
