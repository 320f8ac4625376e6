-- One row per administrative change event (int_admin_change_events_of_latest_releases),
-- classified: its change class (absorption, split, upgrade, rename, establish) from the
-- printed event type (seeds/admin_event_types.csv; null for an unknown type), and the
-- level its old and new unit's printed type says (县级市 / 县 / 自治县 / 旗 / 办事处:
-- county_level; any other type: prefecture; no type: null). Its own model: the levels
-- steer the matching of names to code records (int_admin_change_events_resolved), the
-- class what is a territory change (int_admin_change_territory_transfers).

with change_events as (

    select * from {{ ref('int_admin_change_events_of_latest_releases') }}

),

admin_event_types as (

    select * from {{ ref('admin_event_types') }}

),

events_classified as (

    select
        change_events.*,
        admin_event_types.change_class,
        case
            when change_events.old_type in ('县级市', '县', '自治县', '旗', '办事处')
                then 'county_level'
            when change_events.old_type is not null then 'prefecture'
        end as old_level,
        case
            when change_events.new_type in ('县级市', '县', '自治县', '旗', '办事处')
                then 'county_level'
            when change_events.new_type is not null then 'prefecture'
        end as new_level
    from change_events
    left join admin_event_types
        on change_events.event_type = admin_event_types.event_type

)

select * from events_classified
