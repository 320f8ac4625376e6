-- One row per city whose resident population mart_population_change compares between the
-- censuses var('census_from_year') and var('census_to_year') (2010 -> 2020): every
-- prefecture-level city or municipality, plus every other code with a whole-city resident
-- population figure (any basis) in either census year, such as the Xinjiang corps cities
-- (counted by the census, not prefecture-level). Both census figures (latest vintage of
-- int_observations_ranked, as in fct_city_indicator: indicator population_resident, scope
-- whole_city, basis census_resident) side by side; is_comparable is false when either is
-- missing (e.g. 三沙 Sansha, founded 2012; the Xinjiang corps cities). Names and provinces
-- as of var('census_to_year'): the int_cities_classified row (the rows of dim_city) valid
-- in that data year, else the one valid in var('census_from_year').

with int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

int_cities_classified as (

    select * from {{ ref('int_cities_classified') }}

),

census_populations as (

    select
        city_code,
        data_year,
        value,
        release_id
    from int_observations_ranked
    where vintage_rank = 1
        and indicator_code = 'population_resident'
        and scope = 'whole_city'
        and basis = 'census_resident'
        and data_year in ({{ var('census_from_year') }}, {{ var('census_to_year') }})

),

census_year_populations as (

    select distinct city_code
    from int_observations_ranked
    where vintage_rank = 1
        and indicator_code = 'population_resident'
        and scope = 'whole_city'
        and data_year in ({{ var('census_from_year') }}, {{ var('census_to_year') }})

),

cities as (

    select city_code from int_cities_classified
    where is_prefecture_level
        and {{ valid_in_data_year('int_cities_classified', var('census_to_year')) }}
    union
    select city_code from census_year_populations

),

population_pairs as (

    select
        cities.city_code,
        coalesce(city_row_to.city_name, city_row_from.city_name) as city_name,
        coalesce(city_row_to.province_code, city_row_from.province_code) as province_code,
        coalesce(city_row_to.province_name, city_row_from.province_name) as province_name,
        {{ var('census_from_year') }} as from_year,
        {{ var('census_to_year') }} as to_year,
        from_census.value as population_from_persons,
        to_census.value as population_to_persons,
        from_census.release_id as from_release_id,
        to_census.release_id as to_release_id,
        from_census.value is not null
            and to_census.value is not null
            and from_census.value > 0 as is_comparable
    from cities
    left join int_cities_classified as city_row_to
        on cities.city_code = city_row_to.city_code
        and {{ valid_in_data_year('city_row_to', var('census_to_year')) }}
    left join int_cities_classified as city_row_from
        on cities.city_code = city_row_from.city_code
        and {{ valid_in_data_year('city_row_from', var('census_from_year')) }}
    left join census_populations as from_census
        on cities.city_code = from_census.city_code
        and from_census.data_year = {{ var('census_from_year') }}
    left join census_populations as to_census
        on cities.city_code = to_census.city_code
        and to_census.data_year = {{ var('census_to_year') }}
    where city_row_to.city_code is not null
        or city_row_from.city_code is not null

)

select * from population_pairs
