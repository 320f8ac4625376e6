-- The observation count the loader recorded in raw.releases equals the rows it wrote
-- to raw.observations (a partial load would break this).

with dim_release as (

    select * from {{ ref('dim_release') }}

)

select
    release_id,
    file_name,
    observation_count,
    loaded_observation_count
from dim_release
where observation_count <> loaded_observation_count
