-- One row per city code and validity interval, i.e. per (city_code, valid_from_year): the
-- rows of the city dimension (int_cities_classified) with their own attributes, before
-- their successor and predecessor lists and change events are joined on.
--
-- With code records loaded (int_admin_code_records_sequenced): one row per code record,
-- every level (province, prefecture, county level). A renamed unit is two rows of one code
-- (420600 襄樊市 [1981, 2010), 襄阳市 [2010, null)). Flags the tier rules need come from
-- seeds/city_reference.csv by code (is_provincial_capital; is_in_reference), the rest from
-- the records.
--
-- Without code records (the bundled synthetic samples): one open row per code of
-- seeds/city_reference.csv (valid_from_year and data_year_from null, is_current).
--
-- Either way, every code seen in loaded observations but in no row above gets one open row
-- (is_in_reference = false): the latest printed name, the province from the code's first
-- two digits, and a prefecture-level city when the name ends in 市 and the code in 00
-- (city_level_source 'name_suffix').
--
-- has_observations: a loaded observation carries the code in a data year of the row.

with city_reference as (

    select * from {{ ref('city_reference') }}

),

int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

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

observed_city_years as (

    select distinct
        city_code,
        data_year
    from int_observations_ranked

),

record_rows as (

    select
        records.city_code,
        records.valid_from_year,
        records.valid_to_year,
        records.is_current,
        records.data_year_from,
        records.data_year_to,
        records.city_name,
        records.province_code,
        records.province_name,
        records.level,
        records.city_level,
        'admin_codes' as city_level_source,
        coalesce(city_reference.is_provincial_capital, false) as is_provincial_capital,
        coalesce(records.city_level = 'municipality', false) as is_municipality,
        city_reference.city_code is not null as is_in_reference,
        records.successor_codes_printed
    from int_admin_code_records_sequenced as records
    left join city_reference
        on records.city_code = city_reference.city_code

),

reference_rows as (

    select
        city_code,
        cast(null as {{ dbt.type_int() }}) as valid_from_year,
        cast(null as {{ dbt.type_int() }}) as valid_to_year,
        true as is_current,
        cast(null as {{ dbt.type_int() }}) as data_year_from,
        cast(null as {{ dbt.type_int() }}) as data_year_to,
        city_name,
        province_code,
        province_name,
        case when city_level = 'municipality' then 'province' else 'prefecture' end as level,
        city_level,
        'reference' as city_level_source,
        is_provincial_capital,
        is_municipality,
        true as is_in_reference,
        cast(null as {{ dbt.type_string() }}) as successor_codes_printed
    from city_reference
    where not exists (select 1 from int_admin_code_records_sequenced)

),

known_rows as (

    select * from record_rows
    union all
    select * from reference_rows

),

provinces as (

    select
        province_code,
        min(province_name) as province_name
    from known_rows
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
        from known_rows
        where known_rows.city_code = observed_cities.city_code
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

),

city_rows as (

    select * from known_rows
    union all
    select * from unreferenced_rows

),

-- The rows (one per code and valid_from_year; null for an open reference row) with a
-- loaded observation in one of their data years. A join, not a correlated exists over the
-- union above: Spark's optimizer fails on that (PushProjectionThroughUnion, "key not found").
city_rows_observed as (

    select distinct
        city_rows.city_code,
        coalesce(city_rows.valid_from_year, -1) as valid_from_key
    from city_rows
    inner join observed_city_years
        on observed_city_years.city_code = city_rows.city_code
        and {{ valid_in_data_year('city_rows', 'observed_city_years.data_year') }}

),

city_rows_flagged as (

    select
        city_rows.city_code,
        city_rows.valid_from_year,
        city_rows.valid_to_year,
        city_rows.is_current,
        city_rows.data_year_from,
        city_rows.data_year_to,
        city_rows.city_name,
        city_rows.province_code,
        city_rows.province_name,
        city_rows.level,
        city_rows.city_level,
        city_rows.city_level_source,
        coalesce(city_rows.city_level in ('prefecture_city', 'municipality'), false) as is_prefecture_level,
        city_rows.is_provincial_capital,
        city_rows.is_municipality,
        city_rows.is_in_reference,
        city_rows_observed.city_code is not null as has_observations,
        city_rows.successor_codes_printed
    from city_rows
    left join city_rows_observed
        on city_rows.city_code = city_rows_observed.city_code
        and coalesce(city_rows.valid_from_year, -1) = city_rows_observed.valid_from_key

)

select * from city_rows_flagged
