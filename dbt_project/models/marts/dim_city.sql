-- One row per city code: every code in seeds/city_reference.csv, plus every code seen in
-- loaded observations but missing from the seed (is_in_reference = false; e.g. a dissolved
-- or renamed prefecture such as Laiwu 371200). The classification (province, level,
-- is_prefecture_level) lives in int_cities_classified, shared with the tier marts.

with int_cities_classified as (

    select * from {{ ref('int_cities_classified') }}

),

cities as (

    select
        city_code,
        city_name,
        province_code,
        province_name,
        city_level,
        city_level_source,
        is_prefecture_level,
        is_provincial_capital,
        is_municipality,
        is_in_reference,
        has_observations
    from int_cities_classified

)

select * from cities
