-- One row per territory change that breaks a time series, i.e. per (city_code,
-- absorbed_code, first_affected_data_year): city_code gains all or part of absorbed_code's
-- territory from data year first_affected_data_year on; the tier and ranking marts flag
-- both codes in that year (boundary_break).
--
-- Derived from the change-event releases (int_admin_change_events_resolved: names resolved
-- to codes with the code records valid in the event year) in two ways:
--   * event_names: an `absorption` event (撤销…并整体并入, merge) makes the named new unit
--     absorb the old one (莱芜市 371200 into 济南市 370100); a `split` event (撤销…分拆)
--     gives part of the old unit to the new unit when one is named.
--   * code_successors: the code records say where the counties went. Every county-level
--     successor item of the event's change year that moves territory between two
--     prefecture-level units (int_admin_code_successors_split) out of the event's old unit,
--     into its new unit, or out of the old unit's own code, is a transfer: the split of
--     巢湖市 341400 gives parts to 340100 合肥, 340200 芜湖 and 340500 马鞍山, though the
--     event names none of them.
-- A renaming or upgrade (`upgrade`, `rename`, `establish`: 地区改设地级市, 地级市更名, ...)
-- is NOT a territory change of its own units: the old unit's counties moving to the new
-- unit (522400 毕节地区 -> 520500 毕节市) is a recoding, left out. Counties moving to or
-- from a third unit are kept: 柳州地区 becoming 来宾市 in 2002 gave counties to 柳州市
-- 450200, and 县级市亳州 becoming a prefecture-level city took counties from 阜阳 341200.
-- change_type: absorbed_whole when the absorbed unit was dissolved in that change and all
-- of it went to this one unit, else absorbed_part.
--
-- seeds/boundary_change_overrides.csv adds changes the releases miss (source 'override');
-- a key both yield is kept once, from the releases.

with int_admin_change_events_resolved as (

    select * from {{ ref('int_admin_change_events_resolved') }}

),

int_admin_code_successors_split as (

    select * from {{ ref('int_admin_code_successors_split') }}

),

int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

),

boundary_change_overrides as (

    select * from {{ ref('boundary_change_overrides') }}

),

named_transfers as (

    select
        event_id,
        new_code as city_code,
        old_code as absorbed_code,
        1 as is_named,
        0 as is_from_codes
    from int_admin_change_events_resolved
    where change_class in ('absorption', 'split')
        and new_code is not null
        and old_code is not null
        and new_code <> old_code

),

code_transfers as (

    select distinct
        int_admin_change_events_resolved.event_id,
        successors.to_unit_code as city_code,
        successors.from_unit_code as absorbed_code,
        0 as is_named,
        1 as is_from_codes
    from int_admin_change_events_resolved
    inner join int_admin_code_successors_split as successors
        on successors.change_year = int_admin_change_events_resolved.change_year
        and successors.from_unit_code <> successors.to_unit_code
        and (successors.from_unit_code = int_admin_change_events_resolved.old_code
            or successors.to_unit_code = int_admin_change_events_resolved.new_code
            or successors.city_code = int_admin_change_events_resolved.old_code)

),

candidate_transfers as (

    select * from named_transfers
    union all
    select * from code_transfers

),

receiving_unit_counts as (

    select
        event_id,
        absorbed_code,
        count(distinct city_code) as receiving_unit_count
    from candidate_transfers
    group by
        event_id,
        absorbed_code

),

territory_transfers as (

    select
        candidate_transfers.event_id,
        candidate_transfers.city_code,
        candidate_transfers.absorbed_code,
        max(candidate_transfers.is_named) as is_named,
        max(candidate_transfers.is_from_codes) as is_from_codes
    from candidate_transfers
    inner join int_admin_change_events_resolved as events
        on candidate_transfers.event_id = events.event_id
    where not (
        coalesce(events.change_class, 'upgrade') in ('upgrade', 'rename', 'establish')
        and candidate_transfers.absorbed_code = coalesce(events.old_code, '')
        and candidate_transfers.city_code = coalesce(events.new_code, '')
    )
    group by
        candidate_transfers.event_id,
        candidate_transfers.city_code,
        candidate_transfers.absorbed_code

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
                and receiving_unit_counts.receiving_unit_count = 1 then 'absorbed_whole'
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
    from territory_transfers
    inner join int_admin_change_events_resolved as events
        on territory_transfers.event_id = events.event_id
    inner join receiving_unit_counts
        on territory_transfers.event_id = receiving_unit_counts.event_id
        and territory_transfers.absorbed_code = receiving_unit_counts.absorbed_code
    left join dissolved_units
        on territory_transfers.absorbed_code = dissolved_units.city_code
        and events.change_year = dissolved_units.change_year

),

override_changes as (

    select
        city_code,
        absorbed_code,
        first_affected_data_year,
        change_type,
        'override' as source,
        'override' as derivation,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as {{ dbt.type_string() }}) as event_type,
        cast(null as {{ dbt.type_string() }}) as change_class,
        cast(null as {{ dbt.type_int() }}) as event_year,
        cast(null as date) as approval_date,
        cast(null as {{ dbt.type_string() }}) as document_number,
        description
    from boundary_change_overrides

),

all_changes as (

    select * from event_changes
    union all
    select * from override_changes

),

changes_ranked as (

    select
        all_changes.*,
        row_number() over (
            partition by city_code, absorbed_code, first_affected_data_year
            order by
                case when source = 'admin_change_events' then 0 else 1 end nulls last,
                case when change_type = 'absorbed_whole' then 0 else 1 end nulls last,
                event_id nulls last
        ) as change_rank
    from all_changes

),

boundary_changes as (

    select
        city_code,
        absorbed_code,
        first_affected_data_year,
        change_type,
        source,
        derivation,
        event_id,
        event_type,
        change_class,
        event_year,
        approval_date,
        document_number,
        description
    from changes_ranked
    where change_rank = 1

)

select * from boundary_changes
