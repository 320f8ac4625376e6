-- One row per administrative code record (code, valid_from_year) of the LATEST release of
-- the code-record table in force (int_releases_in_force: with var('as_of'), the releases
-- published by then and not withdrawn by then, so `citytiers rebuild --as-of` uses the
-- code records known on that date). The record table describes every code's whole
-- history, so a newer release (a corrected or extended file) replaces an older one
-- wholesale; two releases are never mixed. Latest: the macro latest_release_first (the
-- ordering of every vintage in this project).

with stg_raw__admin_code_records as (

    select * from {{ ref('stg_raw__admin_code_records') }}

),

int_releases_in_force as (

    select * from {{ ref('int_releases_in_force') }}

),

record_releases as (

    select
        int_releases_in_force.release_id,
        row_number() over (
            order by {{ latest_release_first('int_releases_in_force.') }}
        ) as release_rank
    from int_releases_in_force
    where exists (
        select 1
        from stg_raw__admin_code_records
        where stg_raw__admin_code_records.release_id = int_releases_in_force.release_id
    )

),

records_of_latest_release as (

    select stg_raw__admin_code_records.*
    from stg_raw__admin_code_records
    inner join record_releases
        on stg_raw__admin_code_records.release_id = record_releases.release_id
    where record_releases.release_rank = 1

)

select * from records_of_latest_release
