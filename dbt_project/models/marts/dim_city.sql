-- One row per city code: every code in seeds/city_reference.csv, plus every code seen in
-- loaded observations but missing from the seed (is_in_reference = false; e.g. a dissolved
-- or renamed prefecture such as Laiwu 371200). For those, the name is the latest printed
-- name and the province is looked up from the code's first two digits.

with city_reference as (

    select * from {{ ref('city_reference') }}

),

int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

provinces as (

    select distinct
        province_code,
        province_name
    from city_reference

),

observed_city_names as (

    select
        city_code,
        city_name_raw,
        row_number() over (
            partition by city_code
            order by
                published_on desc nulls last,
                processed_at desc,
                release_id,
                observation_seq
        ) as name_rank
    from int_observations_ranked

),

observed_cities as (

    select
        city_code,
        city_name_raw as latest_city_name_raw
    from observed_city_names
    where name_rank = 1

),

reference_cities as (

    select
        city_reference.city_code,
        city_reference.city_name,
        city_reference.province_code,
        city_reference.province_name,
        city_reference.city_level,
        city_reference.is_provincial_capital,
        city_reference.is_municipality,
        true as is_in_reference,
        observed_cities.city_code is not null as has_observations
    from city_reference
    left join observed_cities
        on city_reference.city_code = observed_cities.city_code

),

unreferenced_cities as (

    select
        observed_cities.city_code,
        observed_cities.latest_city_name_raw as city_name,
        provinces.province_code,
        provinces.province_name,
        cast(null as {{ dbt.type_string() }}) as city_level,
        false as is_provincial_capital,
        false as is_municipality,
        false as is_in_reference,
        true as has_observations
    from observed_cities
    left join provinces
        on substr(observed_cities.city_code, 1, 2) = substr(provinces.province_code, 1, 2)
    where not exists (
        select 1
        from city_reference
        where city_reference.city_code = observed_cities.city_code
    )

),

cities as (

    select * from reference_cities
    union all
    select * from unreferenced_cities

)

select * from cities
