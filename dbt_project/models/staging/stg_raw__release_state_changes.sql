-- One row per decision about a loaded release after it loaded (raw.release_state_changes:
-- withdraw, restore, quarantine_after_audit), with explicit types. Light touch only; the
-- state in force now is stg_raw__releases' (the view raw.release_states), the state on a
-- past date is int_releases_in_force's (var as_of).

with source_changes as (

    select * from {{ source('raw', 'release_state_changes') }}

),

changes_renamed as (

    select
        cast(release_id as {{ dbt.type_string() }})     as release_id,
        cast(change_seq as {{ dbt.type_int() }})        as change_seq,
        cast(action as {{ dbt.type_string() }})         as action,
        cast(reason as {{ dbt.type_string() }})         as reason,
        cast(changed_by as {{ dbt.type_string() }})     as changed_by,
        cast(run_id as {{ dbt.type_string() }})         as run_id,
        cast(changed_at as {{ dbt.type_timestamp() }})  as changed_at
    from source_changes

)

select * from changes_renamed
