-- One row per (release_id, code, valid_from_year): every administrative code record
-- (code, name, level, validity interval) of every release in raw of the code-record table
-- (areacodes result.csv). Which release counts (the latest in force, as of var('as_of'))
-- is chosen in int_admin_code_records_of_latest_release, which reads the release state.
-- Light touch: explicit types, level / status also in English.

with source_records as (

    select * from {{ source('raw', 'admin_code_records') }}

),

records_renamed as (

    select
        cast(release_id as {{ dbt.type_string() }})           as release_id,
        cast(record_seq as {{ dbt.type_int() }})              as record_seq,
        cast(code as {{ dbt.type_string() }})                 as code,
        cast(province_name as {{ dbt.type_string() }})        as province_name,
        cast(prefecture_name as {{ dbt.type_string() }})      as prefecture_name,
        cast(name as {{ dbt.type_string() }})                 as name,
        cast(level_zh as {{ dbt.type_string() }})             as level_zh,
        case level_zh
            when '省级' then 'province'
            when '地级' then 'prefecture'
            when '县级' then 'county_level'
        end                                                   as level,
        cast(status_zh as {{ dbt.type_string() }})            as status_zh,
        case status_zh
            when '在用' then 'in_use'
            when '变更' then 'changed'
            when '弃用' then 'abolished'
        end                                                   as status,
        cast(valid_from_year as {{ dbt.type_int() }})         as valid_from_year,
        cast(valid_to_year as {{ dbt.type_int() }})           as valid_to_year,
        cast(successor_codes as {{ dbt.type_string() }})      as successor_codes_printed,
        cast(source_row as {{ dbt.type_int() }})              as source_row

    from source_records

)

select * from records_renamed
