-- One row per city code and validity interval that the reference data know, i.e. per
-- (city_code, valid_from_year): with code records loaded (int_admin_code_records_sequenced)
-- one row per code record, every level (province, prefecture, county level; a renamed unit
-- is two rows of one code: 420600 襄樊市 [1981, 2010), 襄阳市 [2010, null)); without them
-- (the bundled synthetic samples) one open row per code of seeds/city_reference.csv
-- (valid_from_year and data_year_from null, is_current). Flags the tier rules need come
-- from seeds/city_reference.csv by code (is_provincial_capital; is_in_reference), the rest
-- from the records. Its own model: the codes seen only in observations
-- (int_city_rows_of_observed_codes) are the codes in none of these rows.

with city_reference as (

    select * from {{ ref('city_reference') }}

),

int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

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

)

select * from known_rows
