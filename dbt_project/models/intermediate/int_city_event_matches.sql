-- One row per code record that a change event started or ended, i.e. per (city_code,
-- valid_from_year): the event (int_admin_change_events_resolved, matched to records by
-- name, province and year) whose new unit is the record and starts with it (the record's
-- valid_from_year is the event year or the next), and the one whose old unit is the record
-- and ends with it (likewise its valid_to_year). Of several, the latest event year, then
-- the first event_id. Null on the side with none: 520500 毕节市 [2011, null) is started by
-- PL-2011-002 and ended by none.

with int_admin_change_events_resolved as (

    select * from {{ ref('int_admin_change_events_resolved') }}

),

ending_events as (

    select
        old_code as city_code,
        old_valid_from_year as valid_from_year,
        event_id,
        document_number,
        row_number() over (
            partition by old_code, old_valid_from_year
            order by event_year desc nulls last, event_id nulls last
        ) as event_rank
    from int_admin_change_events_resolved
    where old_code is not null
        and {{ in_event_window('old_valid_to_year', 'event_year') }}

),

starting_events as (

    select
        new_code as city_code,
        new_valid_from_year as valid_from_year,
        event_id,
        document_number,
        row_number() over (
            partition by new_code, new_valid_from_year
            order by event_year desc nulls last, event_id nulls last
        ) as event_rank
    from int_admin_change_events_resolved
    where new_code is not null
        and {{ in_event_window('new_valid_from_year', 'event_year') }}

),

latest_ending_events as (

    select * from ending_events
    where event_rank = 1

),

latest_starting_events as (

    select * from starting_events
    where event_rank = 1

),

event_matches as (

    select
        coalesce(latest_starting_events.city_code, latest_ending_events.city_code) as city_code,
        coalesce(latest_starting_events.valid_from_year, latest_ending_events.valid_from_year)
            as valid_from_year,
        latest_starting_events.event_id as started_by_event_id,
        latest_starting_events.document_number as started_by_document_number,
        latest_ending_events.event_id as ended_by_event_id,
        latest_ending_events.document_number as ended_by_document_number
    from latest_starting_events
    full outer join latest_ending_events
        on latest_starting_events.city_code = latest_ending_events.city_code
        and latest_starting_events.valid_from_year = latest_ending_events.valid_from_year

)

select * from event_matches
