-- One row per administrative change event (event_id). A change-event dataset is one file
-- (raw.releases.file_name, e.g. events_2000_2026.csv); when a file was loaded in several
-- releases (a corrected version), only its latest release in force counts (the macro
-- latest_release_first over int_releases_in_force: with var('as_of'), the releases
-- published and not withdrawn by then), so an event the publisher withdrew disappears.
-- Two datasets may carry the same event (unified_events_1987_2026.csv reuses the ids of
-- events_2000_2026.csv): the event is kept once, from the latest release by the same order.

with stg_raw__admin_change_events as (

    select * from {{ ref('stg_raw__admin_change_events') }}

),

int_releases_in_force as (

    select * from {{ ref('int_releases_in_force') }}

),

event_releases as (

    select
        int_releases_in_force.release_id,
        int_releases_in_force.published_on,
        int_releases_in_force.edition_year,
        int_releases_in_force.release_kind,
        row_number() over (
            partition by int_releases_in_force.file_name
            order by {{ latest_release_first('int_releases_in_force.') }}
        ) as release_rank_in_dataset
    from int_releases_in_force
    where exists (
        select 1
        from stg_raw__admin_change_events
        where stg_raw__admin_change_events.release_id = int_releases_in_force.release_id
    )

),

events_of_latest_releases as (

    select
        stg_raw__admin_change_events.*,
        row_number() over (
            partition by stg_raw__admin_change_events.event_id
            order by
                {{ latest_release_first('event_releases.') }},
                stg_raw__admin_change_events.record_seq nulls last
        ) as event_rank
    from stg_raw__admin_change_events
    inner join event_releases
        on stg_raw__admin_change_events.release_id = event_releases.release_id
    where event_releases.release_rank_in_dataset = 1

),

events_kept_once as (

    select
        release_id,
        file_name,
        record_seq,
        event_id,
        event_year,
        province_name,
        old_name,
        old_type,
        new_name,
        new_type,
        event_type,
        approval_date,
        document_number,
        confidence,
        description,
        source_row
    from events_of_latest_releases
    where event_rank = 1

)

select * from events_kept_once
