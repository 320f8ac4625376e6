-- One row per (snapshot_year, code): the year-end code lists (codes in force on 31
-- December of snapshot_year). Each year's list is its own dataset; when a year was loaded
-- in several releases (a corrected list), only the latest release of that year in force
-- counts (the macro latest_release_first over int_releases_in_force, as of var('as_of')).

with stg_raw__admin_code_snapshots as (

    select * from {{ ref('stg_raw__admin_code_snapshots') }}

),

int_releases_in_force as (

    select * from {{ ref('int_releases_in_force') }}

),

snapshot_releases as (

    select distinct
        stg_raw__admin_code_snapshots.release_id,
        stg_raw__admin_code_snapshots.snapshot_year,
        int_releases_in_force.published_on,
        int_releases_in_force.edition_year,
        int_releases_in_force.release_kind
    from stg_raw__admin_code_snapshots
    inner join int_releases_in_force
        on stg_raw__admin_code_snapshots.release_id = int_releases_in_force.release_id

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

    select stg_raw__admin_code_snapshots.*
    from stg_raw__admin_code_snapshots
    inner join snapshot_releases_ranked
        on stg_raw__admin_code_snapshots.release_id = snapshot_releases_ranked.release_id
        and stg_raw__admin_code_snapshots.snapshot_year = snapshot_releases_ranked.snapshot_year
    where snapshot_releases_ranked.release_rank = 1

)

select * from snapshots_of_latest_releases
