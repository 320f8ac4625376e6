-- The loader writes observations only for loaded releases ("nothing of a quarantined
-- release is loaded"). Rows of any other release are ignored downstream
-- (int_observations_ranked keeps loaded releases only), so this is a warning, not an error.

{{ config(severity='warn') }}

with stg_raw__observations as (

    select * from {{ ref('stg_raw__observations') }}

),

stg_raw__releases as (

    select * from {{ ref('stg_raw__releases') }}

),

orphaned_observations as (

    select
        release_id,
        count(*) as n_observations
    from stg_raw__observations
    where not exists (
        select 1
        from stg_raw__releases
        where stg_raw__releases.release_id = stg_raw__observations.release_id
            and stg_raw__releases.is_loaded
    )
    group by release_id

)

select * from orphaned_observations
