-- One row per city code: every code in seeds/city_reference.csv, plus every code seen in
-- loaded observations but missing from the seed (is_in_reference = false; e.g. a dissolved
-- or renamed prefecture such as Laiwu 371200), classified for the tier and ranking marts.
--
-- Province: the code's first two digits + '0000'; its name from the reference where known.
-- Level of codes not in the reference (a stopgap until the admin-codes issue feeds real
-- levels): a prefecture-level city when the latest printed name ends in 市 and the code is
-- a prefecture-level code (ends in 00; county-level cities such as 昆山市 320583 do not).

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
        'reference' as city_level_source,
        city_reference.is_provincial_capital,
        city_reference.is_municipality,
        true as is_in_reference,
        observed_cities.city_code is not null as has_observations
    from city_reference
    left join observed_cities
        on city_reference.city_code = observed_cities.city_code

),

unreferenced_observed_cities as (

    select
        observed_cities.city_code,
        observed_cities.latest_city_name_raw as city_name,
        {{ dbt.concat(["substr(observed_cities.city_code, 1, 2)", "'0000'"]) }} as province_code,
        {{ dbt.right('observed_cities.latest_city_name_raw', '1') }} = '市'
            and {{ dbt.right('observed_cities.city_code', '2') }} = '00' as is_named_prefecture_city
    from observed_cities
    where not exists (
        select 1
        from city_reference
        where city_reference.city_code = observed_cities.city_code
    )

),

unreferenced_cities as (

    select
        unreferenced_observed_cities.city_code,
        unreferenced_observed_cities.city_name,
        unreferenced_observed_cities.province_code,
        provinces.province_name,
        case
            when unreferenced_observed_cities.is_named_prefecture_city then 'prefecture_city'
        end as city_level,
        case
            when unreferenced_observed_cities.is_named_prefecture_city then 'name_suffix'
        end as city_level_source,
        false as is_provincial_capital,
        false as is_municipality,
        false as is_in_reference,
        true as has_observations
    from unreferenced_observed_cities
    left join provinces
        on unreferenced_observed_cities.province_code = provinces.province_code

),

cities as (

    select * from reference_cities
    union all
    select * from unreferenced_cities

),

cities_classified as (

    select
        city_code,
        city_name,
        province_code,
        province_name,
        city_level,
        city_level_source,
        coalesce(city_level in ('prefecture_city', 'municipality'), false) as is_prefecture_level,
        is_provincial_capital,
        is_municipality,
        is_in_reference,
        has_observations
    from cities

)

select * from cities_classified
