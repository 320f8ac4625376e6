-- One row per city: every prefecture-level city or municipality, plus every other code
-- with a whole-city resident population figure (any basis) in either census year, such as
-- the Xinjiang corps cities (counted by the census, not prefecture-level). Resident
-- population change between
-- the censuses var('census_from_year') and var('census_to_year') (2010 -> 2020), from
-- fct_city_indicator rows with indicator population_resident, scope whole_city and basis
-- census_resident. is_comparable is false, and the city is not ranked, when either census
-- figure is missing (e.g. 三沙 Sansha, founded 2012; the Xinjiang corps cities).
-- Cities, names and provinces as of var('census_to_year'): the dim_city row valid in that
-- data year (prefecture-level then), else the one valid in var('census_from_year').

with fct_city_indicator as (

    select * from {{ ref('fct_city_indicator') }}

),

dim_city as (

    select * from {{ ref('dim_city') }}

),

mart_city_tier_year as (

    select * from {{ ref('mart_city_tier_year') }}

),

census_populations as (

    select
        city_code,
        data_year,
        value,
        release_id
    from fct_city_indicator
    where indicator_code = 'population_resident'
        and scope = 'whole_city'
        and basis = 'census_resident'
        and data_year in ({{ var('census_from_year') }}, {{ var('census_to_year') }})

),

census_year_populations as (

    select distinct city_code
    from fct_city_indicator
    where indicator_code = 'population_resident'
        and scope = 'whole_city'
        and data_year in ({{ var('census_from_year') }}, {{ var('census_to_year') }})

),

cities as (

    select city_code from dim_city
    where is_prefecture_level
        and {{ valid_in_data_year('dim_city', var('census_to_year')) }}
    union
    select city_code from census_year_populations

),

population_pairs as (

    select
        cities.city_code,
        coalesce(dim_city_to.city_name, dim_city_from.city_name) as city_name,
        coalesce(dim_city_to.province_code, dim_city_from.province_code) as province_code,
        coalesce(dim_city_to.province_name, dim_city_from.province_name) as province_name,
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
    left join dim_city as dim_city_to
        on cities.city_code = dim_city_to.city_code
        and {{ valid_in_data_year('dim_city_to', var('census_to_year')) }}
    left join dim_city as dim_city_from
        on cities.city_code = dim_city_from.city_code
        and {{ valid_in_data_year('dim_city_from', var('census_from_year')) }}
    left join census_populations as from_census
        on cities.city_code = from_census.city_code
        and from_census.data_year = {{ var('census_from_year') }}
    left join census_populations as to_census
        on cities.city_code = to_census.city_code
        and to_census.data_year = {{ var('census_to_year') }}
    where dim_city_to.city_code is not null
        or dim_city_from.city_code is not null

),

population_changes as (

    select
        population_pairs.*,
        case when is_comparable
            then population_to_persons - population_from_persons
        end as change_persons,
        case when is_comparable
            then 100.0 * (population_to_persons - population_from_persons) / population_from_persons
        end as change_pct
    from population_pairs

),

population_changes_ranked as (

    select
        population_changes.*,
        case when is_comparable then
            rank() over (partition by is_comparable order by change_persons desc nulls last)
        end as change_rank_national,
        case when is_comparable then
            rank() over (partition by is_comparable, province_code order by change_persons desc nulls last)
        end as change_rank_province,
        case when is_comparable then
            rank() over (partition by is_comparable order by change_pct desc nulls last)
        end as change_pct_rank_national,
        case when is_comparable then
            rank() over (partition by is_comparable, province_code order by change_pct desc nulls last)
        end as change_pct_rank_province
    from population_changes

),

population_changes_with_tier as (

    select
        population_changes_ranked.city_code,
        population_changes_ranked.city_name,
        population_changes_ranked.province_code,
        population_changes_ranked.province_name,
        population_changes_ranked.from_year,
        population_changes_ranked.to_year,
        population_changes_ranked.population_from_persons,
        population_changes_ranked.population_to_persons,
        population_changes_ranked.change_persons,
        population_changes_ranked.change_pct,
        population_changes_ranked.is_comparable,
        population_changes_ranked.change_rank_national,
        population_changes_ranked.change_rank_province,
        population_changes_ranked.change_pct_rank_national,
        population_changes_ranked.change_pct_rank_province,
        mart_city_tier_year.tier,
        '{{ var("tier_scheme") }}' as tier_scheme,
        population_changes_ranked.from_release_id,
        population_changes_ranked.to_release_id
    from population_changes_ranked
    left join mart_city_tier_year
        on population_changes_ranked.city_code = mart_city_tier_year.city_code
        and population_changes_ranked.to_year = mart_city_tier_year.data_year

)

select * from population_changes_with_tier
