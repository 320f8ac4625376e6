-- One row per (release_id, snapshot_year, code): the year-end code lists (codes in force
-- on 31 December of snapshot_year) of every release in raw. Each year's list is its own
-- dataset; which release of a year counts (the latest in force, as of var('as_of')) is
-- chosen in int_admin_code_snapshots_of_latest_releases.

with source_snapshots as (

    select * from {{ source('raw', 'admin_code_snapshots') }}

),

snapshots_renamed as (

    select
        cast(release_id as {{ dbt.type_string() }})      as release_id,
        cast(record_seq as {{ dbt.type_int() }})         as record_seq,
        cast(snapshot_year as {{ dbt.type_int() }})      as snapshot_year,
        cast(code as {{ dbt.type_string() }})            as code,
        cast(name as {{ dbt.type_string() }})            as name,
        cast(source_row as {{ dbt.type_int() }})         as source_row

    from source_snapshots

)

select * from snapshots_renamed
