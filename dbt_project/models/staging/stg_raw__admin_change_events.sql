-- One row per administrative change event (event_id). A change-event dataset is one file
-- (raw.releases.file_name, e.g. events_2000_2026.csv); when a file was loaded in several
-- releases (a corrected version), only its latest loaded release counts (the macro
-- latest_release_first), so an event the publisher withdrew disappears.
-- Two datasets may carry the same event (unified_events_1987_2026.csv reuses the ids of
-- events_2000_2026.csv): the event is kept once, from the latest release by the same order.

with source_events as (

    select * from {{ source('raw', 'admin_change_events') }}

),

stg_raw__releases as (

    select * from {{ ref('stg_raw__releases') }}

),

event_releases as (

    select
        stg_raw__releases.release_id,
        stg_raw__releases.file_name,
        stg_raw__releases.published_on,
        stg_raw__releases.edition_year,
        stg_raw__releases.release_kind,
        row_number() over (
            partition by stg_raw__releases.file_name
            order by {{ latest_release_first('stg_raw__releases.') }}
        ) as release_rank_in_dataset
    from stg_raw__releases
    where stg_raw__releases.is_in_force
        and exists (
            select 1
            from source_events
            where source_events.release_id = stg_raw__releases.release_id
        )

),

events_of_latest_releases as (

    select
        source_events.*,
        event_releases.file_name,
        row_number() over (
            partition by source_events.event_id
            order by
                {{ latest_release_first('event_releases.') }},
                source_events.record_seq nulls last
        ) as event_rank
    from source_events
    inner join event_releases
        on source_events.release_id = event_releases.release_id
    where event_releases.release_rank_in_dataset = 1

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

    from events_of_latest_releases
    where event_rank = 1

)

select * from events_renamed
