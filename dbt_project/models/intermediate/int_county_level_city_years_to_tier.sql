-- One row per county-level city (县级市: 昆山, 义乌, 晋江 ...) and tier year (int_tier_years)
-- in which one of the city's urban-area (城区) figures may size it under the
-- population-basis policy (a basis with a size_class_priority, at most
-- var('size_class_max_age_years') away, a later figure only while
-- var('size_class_allow_later_basis'): the macro size_class_basis_allowed, as
-- int_city_year_size_classes applies it) and the code is a county-level city in that
-- year: its int_county_level_cities row valid in the data year, and, for a year before that
-- row's first year-end list (a code's first row also covers earlier data years, for
-- figures printed under today's code), only while a predecessor of it
-- (int_city_successor_links) was a county-level city then: 简阳 510185 (recoded from
-- 512081 in 2016) and 公主岭 220184 (from 220381 in 2020) are county-level cities before
-- their new code; 宁乡 430182 (宁乡县 until 2017) and 龙港 330383 (new in 2019) are not.
-- A county-level city has no other input, so a year its 城区 figure may not size is no
-- row, never an unclassified one. Its GDP is the latest on the basis 'reported', when one
-- is loaded (int_code_year_latest_figures). In the columns of int_city_years_to_tier.

with int_tier_years as (

    select * from {{ ref('int_tier_years') }}

),

int_code_year_latest_figures as (

    select * from {{ ref('int_code_year_latest_figures') }}

),

int_county_level_cities as (

    select * from {{ ref('int_county_level_cities') }}

),

int_city_year_urban_populations_banded as (

    select * from {{ ref('int_city_year_urban_populations_banded') }}

),

int_city_successor_links as (

    select * from {{ ref('int_city_successor_links') }}

),

sizing_figures as (

    -- The 城区 figures the population-basis policy may use (a basis with a priority).
    select distinct
        city_code,
        data_year as basis_year
    from int_city_year_urban_populations_banded
    where size_class_priority is not null

),

county_city_year_candidates as (

    -- A county-level row with a figure the policy allows, in each tier year it is valid in.
    select distinct
        int_county_level_cities.city_code,
        int_county_level_cities.valid_from_year,
        int_tier_years.data_year
    from sizing_figures
    inner join int_county_level_cities
        on sizing_figures.city_code = int_county_level_cities.city_code
    inner join int_tier_years
        on {{ size_class_basis_allowed('int_tier_years.data_year', 'sizing_figures.basis_year') }}
        and {{ valid_in_data_year('int_county_level_cities', 'int_tier_years.data_year') }}

),

recoded_county_city_years as (

    -- Candidate years before the row's first year-end list in which a predecessor of it
    -- was a county-level city itself (a recoded city: 简阳 512081 -> 510185, 2016).
    select distinct
        candidates.city_code,
        candidates.data_year
    from county_city_year_candidates as candidates
    inner join int_city_successor_links
        on candidates.city_code = int_city_successor_links.successor_code
    inner join int_county_level_cities as predecessors
        on int_city_successor_links.city_code = predecessors.city_code
        and int_city_successor_links.valid_from_year = predecessors.valid_from_year
        and {{ valid_in_data_year('predecessors', 'candidates.data_year') }}
    where candidates.data_year < candidates.valid_from_year

),

county_city_years_sized as (

    select
        county_city_year_candidates.city_code,
        county_city_year_candidates.data_year
    from county_city_year_candidates
    left join recoded_county_city_years
        on county_city_year_candidates.city_code = recoded_county_city_years.city_code
        and county_city_year_candidates.data_year = recoded_county_city_years.data_year
    where county_city_year_candidates.valid_from_year is null
        or county_city_year_candidates.data_year >= county_city_year_candidates.valid_from_year
        or recoded_county_city_years.city_code is not null

),

county_city_years as (

    select
        county_city_years_sized.city_code,
        int_county_level_cities.city_name,
        int_county_level_cities.province_code,
        int_county_level_cities.province_name,
        int_county_level_cities.city_level,
        int_county_level_cities.is_prefecture_level,
        int_county_level_cities.is_provincial_capital,
        int_county_level_cities.is_municipality,
        county_city_years_sized.data_year,
        int_code_year_latest_figures.gdp_reported_yuan as gdp_yuan,
        coalesce(int_code_year_latest_figures.has_urban_area_population, false)
            as has_urban_area_population
    from county_city_years_sized
    inner join int_county_level_cities
        on county_city_years_sized.city_code = int_county_level_cities.city_code
        and {{ valid_in_data_year('int_county_level_cities', 'county_city_years_sized.data_year') }}
    left join int_code_year_latest_figures
        on county_city_years_sized.city_code = int_code_year_latest_figures.city_code
        and county_city_years_sized.data_year = int_code_year_latest_figures.data_year

)

select * from county_city_years
