-- One row per tier year: a data year in which cities are tiered. The data years of the
-- prefecture-level city-years to tier (int_prefecture_city_years_to_tier), and the years
-- of any loaded urban-area (城区) figure of a code while it is a county-level city. So
-- county-level cities are tiered in the same years as the prefecture-level ones
-- (int_county_level_city_years_to_tier), not only in the year of their figure, and each
-- series compares like with like from year to year.

with int_prefecture_city_years_to_tier as (

    select * from {{ ref('int_prefecture_city_years_to_tier') }}

),

int_code_year_latest_figures as (

    select * from {{ ref('int_code_year_latest_figures') }}

),

int_county_level_cities as (

    select * from {{ ref('int_county_level_cities') }}

),

county_level_urban_area_years as (

    -- Years of a loaded 城区 figure of a code while it is a county-level city.
    select distinct int_code_year_latest_figures.data_year
    from int_code_year_latest_figures
    inner join int_county_level_cities
        on int_code_year_latest_figures.city_code = int_county_level_cities.city_code
        and {{ valid_in_data_year('int_county_level_cities', 'int_code_year_latest_figures.data_year') }}
    where int_code_year_latest_figures.has_urban_area_population

),

tier_years as (

    select distinct data_year from int_prefecture_city_years_to_tier
    union
    select data_year from county_level_urban_area_years

)

select * from tier_years
