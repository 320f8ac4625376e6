-- One row per (snapshot_year, code): the year-end code lists (codes in force on 31
-- December of snapshot_year). Each year's list is its own dataset; when a year was loaded
-- in several releases (a corrected list), only the latest loaded release of that year
-- counts (the macro latest_release_first).

with source_snapshots as (

    select * from {{ source('raw', 'admin_code_snapshots') }}

),

stg_raw__releases as (

    select * from {{ ref('stg_raw__releases') }}

),

snapshot_releases as (

    select distinct
        source_snapshots.release_id,
        source_snapshots.snapshot_year,
        stg_raw__releases.published_on,
        stg_raw__releases.edition_year,
        stg_raw__releases.release_kind
    from source_snapshots
    inner join stg_raw__releases
        on source_snapshots.release_id = stg_raw__releases.release_id
    where stg_raw__releases.is_in_force

),

snapshot_releases_ranked as (

    select
        release_id,
        snapshot_year,
        row_number() over (
            partition by snapshot_year
            order by {{ latest_release_first() }}
        ) as release_rank
    from snapshot_releases

),

snapshots_of_latest_releases as (

    select source_snapshots.*
    from source_snapshots
    inner join snapshot_releases_ranked
        on source_snapshots.release_id = snapshot_releases_ranked.release_id
        and source_snapshots.snapshot_year = snapshot_releases_ranked.snapshot_year
    where snapshot_releases_ranked.release_rank = 1

),

snapshots_renamed as (

    select
        cast(release_id as {{ dbt.type_string() }})      as release_id,
        cast(record_seq as {{ dbt.type_int() }})         as record_seq,
        cast(snapshot_year as {{ dbt.type_int() }})      as snapshot_year,
        cast(code as {{ dbt.type_string() }})            as code,
        cast(name as {{ dbt.type_string() }})            as name,
        cast(source_row as {{ dbt.type_int() }})         as source_row

    from snapshots_of_latest_releases

)

select * from snapshots_renamed
