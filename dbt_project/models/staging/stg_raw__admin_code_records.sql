-- One row per administrative code record (code, name, level, validity interval) of the
-- LATEST loaded release of the code-record table (areacodes result.csv): the record table
-- describes every code's whole history, so a newer release (a corrected or extended file)
-- replaces an older one wholesale; two releases are never mixed. Latest: the macro
-- latest_release_first (the ordering of every vintage in this project).
-- Light touch: explicit types, level / status also in English.

with source_records as (

    select * from {{ source('raw', 'admin_code_records') }}

),

stg_raw__releases as (

    select * from {{ ref('stg_raw__releases') }}

),

record_releases as (

    select
        stg_raw__releases.release_id,
        row_number() over (
            order by {{ latest_release_first('stg_raw__releases.') }}
        ) as release_rank
    from stg_raw__releases
    where stg_raw__releases.is_in_force
        and exists (
            select 1
            from source_records
            where source_records.release_id = stg_raw__releases.release_id
        )

),

records_of_latest_release as (

    select source_records.*
    from source_records
    inner join record_releases
        on source_records.release_id = record_releases.release_id
    where record_releases.release_rank = 1

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

    from records_of_latest_release

)

select * from records_renamed
