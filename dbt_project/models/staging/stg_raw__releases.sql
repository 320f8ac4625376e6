-- One row per release attempt (loaded or quarantined), as recorded by the loader, with
-- the state it is in now (the view raw.release_states: withdrawn, restored, quarantined
-- after the audit). Light touch only: explicit types, `is_loaded`, `is_in_force`; no
-- filtering here. Downstream models keep `is_in_force` releases only.

with source_releases as (

    select * from {{ source('raw', 'release_states') }}

),

releases_renamed as (

    select
        cast(release_id as {{ dbt.type_string() }})           as release_id,
        cast(status as {{ dbt.type_string() }})               as status,
        status = 'loaded'                                     as is_loaded,
        cast(state as {{ dbt.type_string() }})                as state,
        cast(in_force as {{ dbt.type_boolean() }})            as is_in_force,
        cast(state_reason as {{ dbt.type_string() }})         as state_reason,
        cast(state_changed_at as {{ dbt.type_timestamp() }})  as state_changed_at,
        cast(sidecar_sha256 as {{ dbt.type_string() }})       as sidecar_sha256,
        cast(file_name as {{ dbt.type_string() }})            as file_name,
        cast(source_path as {{ dbt.type_string() }})          as source_path,
        cast(stored_path as {{ dbt.type_string() }})          as stored_path,
        cast(file_format as {{ dbt.type_string() }})          as file_format,
        cast(release_kind as {{ dbt.type_string() }})         as release_kind,
        cast(publisher as {{ dbt.type_string() }})            as publisher,
        cast(title as {{ dbt.type_string() }})                as title,
        cast(edition_year as {{ dbt.type_int() }})            as edition_year,
        cast(data_years as {{ dbt.type_string() }})           as data_years_json,
        cast(published_on as date)                            as published_on,
        cast(source_url as {{ dbt.type_string() }})           as source_url,
        cast(license as {{ dbt.type_string() }})              as license,
        cast(is_synthetic as {{ dbt.type_boolean() }})        as is_synthetic,
        cast(metadata_json as {{ dbt.type_string() }})        as metadata_json,
        cast(observation_count as {{ dbt.type_int() }})       as observation_count,
        cast(reason as {{ dbt.type_string() }})               as quarantine_reason,
        cast(run_id as {{ dbt.type_string() }})               as run_id,
        cast(processed_at as {{ dbt.type_timestamp() }})      as processed_at

    from source_releases

)

select * from releases_renamed
