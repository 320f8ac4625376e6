-- One row per change event and territory transfer, i.e. per (event_id, city_code,
-- absorbed_code): in the event, city_code received all or part of absorbed_code's
-- territory. Found in two ways:
--   * event_names (is_named): an `absorption` event (撤销…并整体并入, merge) makes the named
--     new unit absorb the old one (莱芜市 371200 into 济南市 370100); a `split` event
--     (撤销…分拆) gives part of the old unit to the new unit when one is named.
--   * code_successors (is_from_codes): every county-level successor item of the event's
--     change year that moves territory between two prefecture-level units
--     (int_admin_code_successors_split) out of the event's old unit, into its new unit, or
--     out of the old unit's own code: the split of 巢湖市 341400 gives parts to 340100 合肥,
--     340200 芜湖 and 340500 马鞍山, though the event names none of them.
-- A renaming or upgrade (`upgrade`, `rename`, `establish`: 地区改设地级市, 地级市更名, ...)
-- is NOT a transfer between its own units: the old unit's counties moving to the new unit
-- (522400 毕节地区 -> 520500 毕节市) is a recoding, left out; counties moving to or from a
-- third unit are kept. receiving_unit_count: the units the absorbed unit's territory went
-- to in the event (int_boundary_changes_from_events tells a whole from a part with it).

with int_admin_change_events_resolved as (

    select * from {{ ref('int_admin_change_events_resolved') }}

),

int_admin_code_successors_split as (

    select * from {{ ref('int_admin_code_successors_split') }}

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

)

select
    territory_transfers.*,
    receiving_unit_counts.receiving_unit_count
from territory_transfers
inner join receiving_unit_counts
    on territory_transfers.event_id = receiving_unit_counts.event_id
    and territory_transfers.absorbed_code = receiving_unit_counts.absorbed_code
