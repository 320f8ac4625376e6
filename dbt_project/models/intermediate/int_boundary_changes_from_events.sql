-- One row per territory change that a change event made, i.e. per (city_code,
-- absorbed_code, first_affected_data_year) and event: the transfers of
-- int_admin_change_territory_transfers with the event's first affected data year and
-- document (int_admin_change_events_resolved). change_type: absorbed_whole when the
-- absorbed unit was dissolved in that change (its code record ended with no record of the
-- same code following) and all of it went to this one unit, else absorbed_part.
-- derivation: event_names, code_successors or event_names_and_code_successors.

with int_admin_change_territory_transfers as (

    select * from {{ ref('int_admin_change_territory_transfers') }}

),

int_admin_change_events_resolved as (

    select * from {{ ref('int_admin_change_events_resolved') }}

),

int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

),

dissolved_units as (

    select
        ended.city_code,
        ended.valid_to_year as change_year
    from int_admin_code_records_sequenced as ended
    where ended.valid_to_year is not null
        and not exists (
            select 1
            from int_admin_code_records_sequenced as continued
            where continued.city_code = ended.city_code
                and continued.valid_from_year = ended.valid_to_year
        )

),

event_changes as (

    select
        territory_transfers.city_code,
        territory_transfers.absorbed_code,
        events.first_affected_data_year,
        case
            when dissolved_units.city_code is not null
                and territory_transfers.receiving_unit_count = 1 then 'absorbed_whole'
            else 'absorbed_part'
        end as change_type,
        'admin_change_events' as source,
        case
            when territory_transfers.is_named = 1 and territory_transfers.is_from_codes = 1
                then 'event_names_and_code_successors'
            when territory_transfers.is_named = 1 then 'event_names'
            else 'code_successors'
        end as derivation,
        events.event_id,
        events.event_type,
        events.change_class,
        events.event_year,
        events.approval_date,
        events.document_number,
        events.description
    from int_admin_change_territory_transfers as territory_transfers
    inner join int_admin_change_events_resolved as events
        on territory_transfers.event_id = events.event_id
    left join dissolved_units
        on territory_transfers.absorbed_code = dissolved_units.city_code
        and events.change_year = dissolved_units.change_year

)

select * from event_changes
