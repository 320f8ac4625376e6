-- One row per (city_code, data_year) of int_city_years_to_tier that has an urban-area
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
-- The window of 2. is the macro size_class_basis_allowed, which
-- int_county_level_city_years_to_tier applies too (a county-level city is tiered in the years its 城区 figure may size it).
-- A city-year with no figure within those bounds gets no row here: its tier then says
-- which input was missing (int_city_year_tiers_by_scheme), it is never sized by a guess.

with int_city_years_to_tier as (

    select * from {{ ref('int_city_years_to_tier') }}

),

int_city_year_urban_populations_banded as (

    select * from {{ ref('int_city_year_urban_populations_banded') }}

),

candidates as (

    select
        int_city_years_to_tier.city_code,
        int_city_years_to_tier.data_year,
        int_city_year_urban_populations_banded.data_year as size_class_basis_year,
        int_city_year_urban_populations_banded.basis as size_class_basis,
        int_city_year_urban_populations_banded.urban_population_persons,
        int_city_year_urban_populations_banded.size_class,
        int_city_year_urban_populations_banded.size_class_name_zh,
        int_city_year_urban_populations_banded.data_year > int_city_years_to_tier.data_year
            as size_class_basis_is_later,
        row_number() over (
            partition by int_city_years_to_tier.city_code, int_city_years_to_tier.data_year
            order by
                int_city_year_urban_populations_banded.size_class_priority nulls last,
                abs(int_city_years_to_tier.data_year - int_city_year_urban_populations_banded.data_year) nulls last,
                int_city_year_urban_populations_banded.data_year nulls last
        ) as candidate_rank
    from int_city_years_to_tier
    inner join int_city_year_urban_populations_banded
        on int_city_years_to_tier.city_code = int_city_year_urban_populations_banded.city_code
        and {{ size_class_basis_allowed('int_city_years_to_tier.data_year',
                                        'int_city_year_urban_populations_banded.data_year') }}
    where int_city_year_urban_populations_banded.size_class_priority is not null

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
