-- One row per territory change that breaks a time series, i.e. per (city_code,
-- absorbed_code, first_affected_data_year): city_code gains all or part of absorbed_code's
-- territory from data year first_affected_data_year on; the tier and ranking marts flag
-- both codes in that year (boundary_break).
--
-- The changes the change-event releases make (int_boundary_changes_from_events: the
-- event's named units and the county moves of the code records, see
-- int_admin_change_territory_transfers), plus the manual rows of
-- seeds/boundary_change_overrides.csv for changes the releases miss (source 'override');
-- a key both yield is kept once, from the releases (then absorbed_whole before
-- absorbed_part, then the first event_id).

with int_boundary_changes_from_events as (

    select * from {{ ref('int_boundary_changes_from_events') }}

),

boundary_change_overrides as (

    select * from {{ ref('boundary_change_overrides') }}

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

    select * from int_boundary_changes_from_events
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
