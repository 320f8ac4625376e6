-- One row per (city_code, data_year) of int_tier_city_years that has an urban-area
-- (城区) population figure to size it by: the size class used for that data year, and the
-- figure and basis it comes from. The population-basis policy (docs/tiers.md, "The
-- population-basis policy"):
--   1. the basis with the best size_class_priority (seeds/population_bases.csv: the census
--      城区 figure before a yearbook 城区 series);
--   2. of its figures, the nearest in time, at most var('size_class_max_age_years') years
--      away in either direction: a data year without a figure of its own borrows one (2015
--      takes the 2010 census, 2019 the 2020 census); a later basis only when
--      var('size_class_allow_later_basis') is true (the default), and flagged
--      size_class_basis_is_later;
--   3. on equal distance, the earlier figure (2015: the 2010 census, not the 2020 one).
-- The window of 2. is the macro size_class_basis_allowed, which int_tier_city_years applies
-- too (a county-level city is tiered in the years its 城区 figure may size it).
-- A city-year with no figure within those bounds gets no row here: its tier then says
-- which input was missing (int_city_years_tiered), it is never sized by a guess.

with int_tier_city_years as (

    select * from {{ ref('int_tier_city_years') }}

),

mart_city_size_class as (

    select * from {{ ref('mart_city_size_class') }}

),

candidates as (

    select
        int_tier_city_years.city_code,
        int_tier_city_years.data_year,
        mart_city_size_class.data_year as size_class_basis_year,
        mart_city_size_class.basis as size_class_basis,
        mart_city_size_class.urban_population_persons,
        mart_city_size_class.size_class,
        mart_city_size_class.size_class_name_zh,
        mart_city_size_class.data_year > int_tier_city_years.data_year
            as size_class_basis_is_later,
        row_number() over (
            partition by int_tier_city_years.city_code, int_tier_city_years.data_year
            order by
                mart_city_size_class.size_class_priority nulls last,
                abs(int_tier_city_years.data_year - mart_city_size_class.data_year) nulls last,
                mart_city_size_class.data_year nulls last
        ) as candidate_rank
    from int_tier_city_years
    inner join mart_city_size_class
        on int_tier_city_years.city_code = mart_city_size_class.city_code
        and {{ size_class_basis_allowed('int_tier_city_years.data_year',
                                        'mart_city_size_class.data_year') }}
    where mart_city_size_class.size_class_priority is not null

)

select
    city_code,
    data_year,
    urban_population_persons,
    size_class,
    size_class_name_zh,
    size_class_basis,
    size_class_basis_year,
    size_class_basis_is_later
from candidates
where candidate_rank = 1
