-- One row per observed cell per release: (release_id, observation_seq).
-- `basis` names the measurement basis (seeds/population_bases.csv): the same city, year,
-- indicator and scope on two bases (census 城区 vs yearbook 城区) are two different facts.
-- Values are already in base units (the loader converts 万元/亿元/万人 with seeds/unit_factors.csv).
-- No filtering here: observations of non-loaded releases are dropped in int_observations_ranked.

with source_observations as (

    select * from {{ source('raw', 'observations') }}

),

observations_renamed as (

    select
        cast(release_id as {{ dbt.type_string() }})       as release_id,
        cast(observation_seq as {{ dbt.type_int() }})     as observation_seq,
        cast(city_code as {{ dbt.type_string() }})        as city_code,
        cast(city_name_raw as {{ dbt.type_string() }})    as city_name_raw,
        cast(scope as {{ dbt.type_string() }})            as scope,
        cast(indicator_code as {{ dbt.type_string() }})   as indicator_code,
        cast(data_year as {{ dbt.type_int() }})           as data_year,
        cast(value as {{ type_double() }})                 as value,
        cast(base_unit as {{ dbt.type_string() }})        as base_unit,
        cast(value_raw as {{ dbt.type_string() }})        as value_raw,
        cast(unit_raw as {{ dbt.type_string() }})         as unit_raw,
        cast(source_sheet as {{ dbt.type_string() }})     as source_sheet,
        cast(source_row as {{ dbt.type_int() }})          as source_row,
        cast(source_column as {{ dbt.type_string() }})    as source_column,
        cast(raw_header as {{ dbt.type_string() }})       as raw_header,
        cast(basis as {{ dbt.type_string() }})            as basis

    from source_observations

)

select * from observations_renamed
