-- One row per city: every prefecture-level city or municipality, plus every other code
-- with a whole-city resident population figure (any basis) in either census year, such as
-- the Xinjiang corps cities (counted by the census, not prefecture-level). Resident
-- population change between the censuses var('census_from_year') and
-- var('census_to_year') (2010 -> 2020), ranked nationally and within the province, with the
-- city's tier in var('census_to_year'). is_comparable is false, and the city is not
-- ranked, when either census figure is missing (e.g. 三沙 Sansha, founded 2012; the
-- Xinjiang corps cities). The cities and their two census figures:
-- int_city_census_population_pairs.

with int_city_census_population_pairs as (

    select * from {{ ref('int_city_census_population_pairs') }}

),

mart_city_tier_year as (

    select * from {{ ref('mart_city_tier_year') }}

),

population_changes as (

    select
        int_city_census_population_pairs.*,
        case when is_comparable
            then population_to_persons - population_from_persons
        end as change_persons,
        case when is_comparable
            then 100.0 * (population_to_persons - population_from_persons) / population_from_persons
        end as change_pct
    from int_city_census_population_pairs

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
