-- One open row per code seen in loaded observations (int_observations_ranked) but in no
-- row of int_city_rows_of_records_or_reference (is_in_reference = false): the latest
-- printed name, the province from the code's first two digits (its name from the known
-- rows), the level from the code's zeros, and a prefecture-level city when the name ends
-- in 市 and the code in 00 (city_level_source 'name_suffix'). In the columns of
-- int_city_rows_of_records_or_reference, which int_city_rows appends them to.

with int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

int_city_rows_of_records_or_reference as (

    select * from {{ ref('int_city_rows_of_records_or_reference') }}

),

observed_city_names as (

    select
        city_code,
        city_name_raw,
        row_number() over (
            partition by city_code
            order by
                {{ latest_release_first() }},
                observation_seq nulls last
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

provinces as (

    select
        province_code,
        min(province_name) as province_name
    from int_city_rows_of_records_or_reference
    where province_name is not null
    group by province_code

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
        from int_city_rows_of_records_or_reference
        where int_city_rows_of_records_or_reference.city_code = observed_cities.city_code
    )

),

unreferenced_rows as (

    select
        unreferenced_observed_cities.city_code,
        cast(null as {{ dbt.type_int() }}) as valid_from_year,
        cast(null as {{ dbt.type_int() }}) as valid_to_year,
        true as is_current,
        cast(null as {{ dbt.type_int() }}) as data_year_from,
        cast(null as {{ dbt.type_int() }}) as data_year_to,
        unreferenced_observed_cities.city_name,
        unreferenced_observed_cities.province_code,
        provinces.province_name,
        case
            when {{ dbt.right('unreferenced_observed_cities.city_code', '4') }} = '0000' then 'province'
            when {{ dbt.right('unreferenced_observed_cities.city_code', '2') }} = '00' then 'prefecture'
            else 'county_level'
        end as level,
        case
            when unreferenced_observed_cities.is_named_prefecture_city then 'prefecture_city'
        end as city_level,
        case
            when unreferenced_observed_cities.is_named_prefecture_city then 'name_suffix'
        end as city_level_source,
        false as is_provincial_capital,
        false as is_municipality,
        false as is_in_reference,
        cast(null as {{ dbt.type_string() }}) as successor_codes_printed
    from unreferenced_observed_cities
    left join provinces
        on unreferenced_observed_cities.province_code = provinces.province_code

)

select * from unreferenced_rows
