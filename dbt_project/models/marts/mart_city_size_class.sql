-- One row per (city_code, data_year, basis) with an urban-area population figure
-- (indicator population_urban_area, scope urban_area, latest vintage): the State Council
-- 2014 city-size class (国发〔2014〕51号). Computed in int_city_year_urban_populations_banded
-- (the tier models read it there, never from this mart).

with int_city_year_urban_populations_banded as (

    select * from {{ ref('int_city_year_urban_populations_banded') }}

)

select * from int_city_year_urban_populations_banded
