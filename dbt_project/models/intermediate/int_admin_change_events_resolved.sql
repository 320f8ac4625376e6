-- One row per administrative change event (int_admin_change_events_classified), with its
-- old and new unit resolved to code records by name, province and year (best effort: null
-- when no record matches). Old unit: a record named old_name in the event's province that
-- existed during the event year; preferred: one that ended with the event (valid_to_year =
-- event_year or up to var event_list_lag_years later), of the level the old type says,
-- then the latest (莱芜市 2018 -> 371200 [1992, 2018)). New unit: a record named new_name
-- valid at the end of the event year or the next; preferred: one that started with the
-- event, of the level the new type says, then the latest (济南市 2018 -> 370100; 毕节市
-- 2011 -> 520500 [2011, null), not the county-level 毕节市 522401).
--
-- change_year: the year-end list that first shows the change (the old record's
-- valid_to_year, else the new record's valid_from_year, else the event year).
-- first_affected_data_year: the first data year on the new territory. A change approved
-- in month var('boundary_change_late_month') (October) or later cannot shape that year's
-- statistics and affects the next data year; earlier approvals affect the same year.
-- Laiwu into Jinan, approved 2018-12-26 -> 2019; Chaohu split, approved 2011-07-14 -> 2011.
-- Without an approval date: the event year.

with events_classified as (

    select * from {{ ref('int_admin_change_events_classified') }}

),

int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

),

old_unit_candidates as (

    select
        events_classified.event_id,
        records.city_code,
        records.valid_from_year,
        records.valid_to_year,
        row_number() over (
            partition by events_classified.event_id
            order by
                case
                    when {{ in_event_window('records.valid_to_year', 'events_classified.event_year') }} then 0
                    else 1
                end nulls last,
                case
                    when records.level = coalesce(events_classified.old_level, 'prefecture') then 0
                    else 1
                end nulls last,
                records.valid_from_year desc nulls last,
                records.city_code nulls last
        ) as candidate_rank
    from events_classified
    inner join int_admin_code_records_sequenced as records
        on records.city_name = events_classified.old_name
        and (events_classified.province_name is null
            or records.province_name = events_classified.province_name)
        and records.valid_from_year <= events_classified.event_year
        and (records.valid_to_year is null
            or records.valid_to_year >= events_classified.event_year)
        and (events_classified.old_level is null
            or records.level = events_classified.old_level)

),

new_unit_candidates as (

    select
        events_classified.event_id,
        records.city_code,
        records.valid_from_year,
        row_number() over (
            partition by events_classified.event_id
            order by
                case
                    when {{ in_event_window('records.valid_from_year', 'events_classified.event_year') }} then 0
                    else 1
                end nulls last,
                case
                    when records.level = coalesce(events_classified.new_level, 'prefecture') then 0
                    else 1
                end nulls last,
                records.valid_from_year desc nulls last,
                records.city_code nulls last
        ) as candidate_rank
    from events_classified
    inner join int_admin_code_records_sequenced as records
        on records.city_name = events_classified.new_name
        and (events_classified.province_name is null
            or records.province_name = events_classified.province_name)
        and records.valid_from_year <= {{ event_list_last_year('events_classified.event_year') }}
        and (records.valid_to_year is null
            or records.valid_to_year > events_classified.event_year)
        and (events_classified.new_level is null
            or records.level = events_classified.new_level)

),

events_resolved as (

    select
        events_classified.event_id,
        events_classified.event_year,
        events_classified.province_name,
        events_classified.old_name,
        events_classified.old_type,
        events_classified.new_name,
        events_classified.new_type,
        events_classified.event_type,
        events_classified.change_class,
        events_classified.approval_date,
        events_classified.document_number,
        events_classified.confidence,
        events_classified.description,
        old_units.city_code as old_code,
        old_units.valid_from_year as old_valid_from_year,
        old_units.valid_to_year as old_valid_to_year,
        new_units.city_code as new_code,
        new_units.valid_from_year as new_valid_from_year,
        case
            when {{ in_event_window('old_units.valid_to_year', 'events_classified.event_year') }}
                then old_units.valid_to_year
            when {{ in_event_window('new_units.valid_from_year', 'events_classified.event_year') }}
                then new_units.valid_from_year
            else events_classified.event_year
        end as change_year,
        cast(
            case
                when events_classified.approval_date is null then events_classified.event_year
                when extract(month from events_classified.approval_date)
                    >= {{ var('boundary_change_late_month') }}
                    then extract(year from events_classified.approval_date) + 1
                else extract(year from events_classified.approval_date)
            end
            as {{ dbt.type_int() }}
        ) as first_affected_data_year,
        events_classified.release_id,
        events_classified.file_name
    from events_classified
    left join old_unit_candidates as old_units
        on events_classified.event_id = old_units.event_id
        and old_units.candidate_rank = 1
    left join new_unit_candidates as new_units
        on events_classified.event_id = new_units.event_id
        and new_units.candidate_rank = 1

)

select * from events_resolved
