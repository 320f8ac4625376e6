-- One row per city code and validity interval, i.e. per (city_code, valid_from_year): the
-- rows of the city dimension (int_cities_classified) with their own attributes, before
-- their successor and predecessor lists and change events are joined on. The rows the
-- reference data know (int_city_rows_of_records_or_reference) and an open row per code
-- seen only in observations (int_city_rows_of_observed_codes); this model adds
-- is_prefecture_level and has_observations (a loaded observation carries the code in a
-- data year of the row).

with int_city_rows_of_records_or_reference as (

    select * from {{ ref('int_city_rows_of_records_or_reference') }}

),

int_city_rows_of_observed_codes as (

    select * from {{ ref('int_city_rows_of_observed_codes') }}

),

int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

observed_city_years as (

    select distinct
        city_code,
        data_year
    from int_observations_ranked

),

city_rows as (

    select * from int_city_rows_of_records_or_reference
    union all
    select * from int_city_rows_of_observed_codes

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
