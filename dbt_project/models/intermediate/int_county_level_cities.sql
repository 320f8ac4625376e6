-- One row per county-level city (县级市: 昆山, 义乌, 晋江 ...) code and validity interval: the
-- rows of int_cities_classified with city_level county_level_city. Its own model because
-- both the tier years (int_tier_years) and the county-level city-years to tier
-- (int_county_level_city_years_to_tier) ask which codes are county-level cities when.

with int_cities_classified as (

    select * from {{ ref('int_cities_classified') }}

),

county_level_cities as (

    select * from int_cities_classified
    where city_level = 'county_level_city'

)

select * from county_level_cities
