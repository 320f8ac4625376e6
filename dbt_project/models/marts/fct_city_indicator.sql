-- One row per (city_code, data_year, indicator_code, scope, basis): the latest vintage
-- (vintage_rank = 1 in int_observations_ranked), with lineage to the cell and the city's
-- name in that data year (the dim_city row valid in it: 420600 is 襄樊市 until 2009).
-- A figure on another basis (census 城区 vs yearbook 城区) is another row, never a revision.

with int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

dim_city as (

    select * from {{ ref('dim_city') }}

),

latest_observations as (

    select * from int_observations_ranked
    where vintage_rank = 1

),

city_indicators as (

    select
        latest_observations.city_code,
        dim_city.city_name,
        latest_observations.data_year,
        latest_observations.indicator_code,
        indicators.name_zh as indicator_name_zh,
        indicators.name_en as indicator_name_en,
        latest_observations.scope,
        latest_observations.basis,
        latest_observations.value,
        latest_observations.base_unit,
        latest_observations.release_id,
        latest_observations.publisher,
        latest_observations.published_on,
        latest_observations.edition_year,
        latest_observations.is_synthetic,
        latest_observations.vintage_count,
        latest_observations.file_name,
        latest_observations.source_sheet,
        latest_observations.source_row,
        latest_observations.source_column,
        latest_observations.raw_header,
        latest_observations.value_raw,
        latest_observations.unit_raw,
        latest_observations.city_name_raw,
        latest_observations.observation_seq
    from latest_observations
    left join indicators
        on latest_observations.indicator_code = indicators.indicator_code
    left join dim_city
        on latest_observations.city_code = dim_city.city_code
        and {{ valid_in_data_year('dim_city', 'latest_observations.data_year') }}

)

select * from city_indicators
