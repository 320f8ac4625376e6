-- One row per (release_id, event_id): every administrative change event of every
-- release in raw, with its dataset (the file, raw.releases.file_name, e.g. events_2000_2026.csv).
-- Which release of each file counts, and which copy of an event two datasets share, is
-- chosen in int_admin_change_events_of_latest_releases, which reads the release state
-- (as of var('as_of')).

with source_events as (

    select * from {{ source('raw', 'admin_change_events') }}

),

stg_raw__releases as (

    select * from {{ ref('stg_raw__releases') }}

),

events_with_file as (

    select
        source_events.*,
        stg_raw__releases.file_name
    from source_events
    left join stg_raw__releases
        on source_events.release_id = stg_raw__releases.release_id

),

events_renamed as (

    select
        cast(release_id as {{ dbt.type_string() }})        as release_id,
        cast(file_name as {{ dbt.type_string() }})         as file_name,
        cast(record_seq as {{ dbt.type_int() }})           as record_seq,
        cast(event_id as {{ dbt.type_string() }})          as event_id,
        cast(event_year as {{ dbt.type_int() }})           as event_year,
        cast(province_name as {{ dbt.type_string() }})     as province_name,
        cast(old_name as {{ dbt.type_string() }})          as old_name,
        cast(old_type as {{ dbt.type_string() }})          as old_type,
        cast(new_name as {{ dbt.type_string() }})          as new_name,
        cast(new_type as {{ dbt.type_string() }})          as new_type,
        cast(event_type as {{ dbt.type_string() }})        as event_type,
        cast(approval_date as date)                        as approval_date,
        cast(document_number as {{ dbt.type_string() }})   as document_number,
        cast(confidence as {{ dbt.type_string() }})        as confidence,
        cast(description as {{ dbt.type_string() }})       as description,
        cast(source_row as {{ dbt.type_int() }})           as source_row

    from events_with_file

)

select * from events_renamed
