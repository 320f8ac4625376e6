-- One row per observation of a release in force (int_releases_in_force: on var as_of
-- when it is set), i.e. per
-- (city_code, data_year, indicator_code, scope, basis, release_id), with its release metadata
-- and `vintage_rank` = 1 for the latest vintage of (city_code, data_year, indicator_code,
-- scope, basis). The basis is part of the key: a census 城区 figure and a yearbook 城区
-- figure for the same city and year are two facts, never vintages of one another.
-- Latest: the macro latest_release_first (publication date, then edition, then the
-- release kind by var same_day_precedence, then release_id; never the load order).
-- Releases without a publication date rank last. previous_* (the next older vintage) and
-- next_published_on (the next newer one's date) come from the same ordering.

-- The vintages of one figure, latest first: one window, one sort, for every column below.
{% set vintages -%}
    partition by city_code, data_year, indicator_code, scope, basis
    order by {{ latest_release_first() }}
{%- endset %}

with int_releases_in_force as (

    select * from {{ ref('int_releases_in_force') }}

),

stg_raw__observations as (

    select * from {{ ref('stg_raw__observations') }}

),

loaded_releases as (

    select
        release_id,
        file_name,
        publisher,
        edition_year,
        published_on,
        release_kind,
        is_synthetic,
        processed_at
    from int_releases_in_force

),

observations_of_loaded_releases as (

    select
        stg_raw__observations.*,
        loaded_releases.file_name,
        loaded_releases.publisher,
        loaded_releases.edition_year,
        loaded_releases.published_on,
        loaded_releases.release_kind,
        loaded_releases.is_synthetic,
        loaded_releases.processed_at
    from stg_raw__observations
    inner join loaded_releases
        on stg_raw__observations.release_id = loaded_releases.release_id

),

observations_ranked as (

    select
        observations_of_loaded_releases.*,
        row_number() over ({{ vintages }}) as vintage_rank,
        count(*) over (
            partition by city_code, data_year, indicator_code, scope, basis
        ) as vintage_count,
        -- The next older vintage (previous_*) and the next newer one's publication date,
        -- for fct_city_indicator_vintage: taken here, in the ranking's own sort of every
        -- observation, not in a second sort of the same wide rows there (which took as long
        -- again: 28 s of a 10 M-observation build, docs/benchmarks.md).
        lead(release_id) over ({{ vintages }}) as previous_release_id,
        lead(published_on) over ({{ vintages }}) as previous_published_on,
        lead(value) over ({{ vintages }}) as previous_value,
        lag(published_on) over ({{ vintages }}) as next_published_on
    from observations_of_loaded_releases

)

select * from observations_ranked
