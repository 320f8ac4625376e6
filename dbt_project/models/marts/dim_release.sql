-- One row per release in force (loaded, and neither withdrawn nor quarantined after the audit;
-- on var as_of when it is set: int_releases_in_force), with its metadata and
-- what it actually contributed: observation counts, coverage, and how many of its
-- observations are currently the latest vintage.

with int_releases_in_force as (

    select * from {{ ref('int_releases_in_force') }}

),

int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

loaded_releases as (

    select * from int_releases_in_force

),

release_observation_stats as (

    select
        release_id,
        count(*) as loaded_observation_count,
        count(case when vintage_rank = 1 then release_id end) as latest_observation_count,
        count(distinct city_code) as city_count,
        count(distinct indicator_code) as indicator_count,
        min(data_year) as data_year_min,
        max(data_year) as data_year_max
    from int_observations_ranked
    group by release_id

),

releases_with_stats as (

    select
        loaded_releases.release_id,
        loaded_releases.file_name,
        loaded_releases.file_format,
        loaded_releases.publisher,
        loaded_releases.title,
        loaded_releases.edition_year,
        loaded_releases.data_years_json,
        loaded_releases.published_on,
        loaded_releases.source_url,
        loaded_releases.license,
        loaded_releases.is_synthetic,
        loaded_releases.observation_count,
        coalesce(release_observation_stats.loaded_observation_count, 0) as loaded_observation_count,
        coalesce(release_observation_stats.latest_observation_count, 0) as latest_observation_count,
        coalesce(release_observation_stats.city_count, 0) as city_count,
        coalesce(release_observation_stats.indicator_count, 0) as indicator_count,
        release_observation_stats.data_year_min,
        release_observation_stats.data_year_max,
        loaded_releases.source_path,
        loaded_releases.stored_path,
        loaded_releases.sidecar_sha256,
        loaded_releases.metadata_json,
        loaded_releases.run_id,
        loaded_releases.release_kind,
        loaded_releases.processed_at
    from loaded_releases
    left join release_observation_stats
        on loaded_releases.release_id = release_observation_stats.release_id

)

select * from releases_with_stats
