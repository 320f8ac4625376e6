-- One row per (measure, city_code, data_year): a prefecture-level city's rank on one
-- measure, nationally and within its province, its change since data year - 1, and whether
-- it is in its province's top var('province_top_n') (3) for the first time: the article's
-- "人均GDP还是人均收入，双双位居全省前三" (新余) is a question of this mart. Measures:
--   gdp                           whole-city GDP (as mart_growth_ranking_year ranks it)
--   gdp_per_capita                GDP per capita (reported, else GDP / resident population)
--   disposable_income_per_capita  per-capita disposable income of residents (居民人均可支配收入)
-- A rank change across a boundary change (boundary_break) is shown and flagged, and not
-- counted unless var('rank_boundary_breaks') is true, as for GDP growth.

with mart_growth_ranking_year as (

    select * from {{ ref('mart_growth_ranking_year') }}

),

int_prefecture_city_year_figures as (

    select * from {{ ref('int_prefecture_city_year_figures') }}

),

measures as (

    select city_code, city_name, province_code, province_name, data_year, boundary_break,
           'gdp' as measure, gdp_yuan as value
    from mart_growth_ranking_year
    union all
    select city_code, city_name, province_code, province_name, data_year, boundary_break,
           'gdp_per_capita' as measure, gdp_per_capita_yuan as value
    from mart_growth_ranking_year
    where gdp_per_capita_yuan is not null
    union all
    select int_prefecture_city_year_figures.city_code, int_prefecture_city_year_figures.city_name,
           int_prefecture_city_year_figures.province_code, int_prefecture_city_year_figures.province_name,
           int_prefecture_city_year_figures.data_year,
           coalesce(mart_growth_ranking_year.boundary_break, false) as boundary_break,
           'disposable_income_per_capita' as measure,
           int_prefecture_city_year_figures.disposable_income_per_capita_yuan as value
    from int_prefecture_city_year_figures
    left join mart_growth_ranking_year
        on int_prefecture_city_year_figures.city_code = mart_growth_ranking_year.city_code
        and int_prefecture_city_year_figures.data_year = mart_growth_ranking_year.data_year
    where int_prefecture_city_year_figures.disposable_income_per_capita_yuan is not null

),

ranked as (

    select
        measures.*,
        rank() over (partition by measure, data_year order by value desc nulls last) as rank_national,
        rank() over (partition by measure, data_year, province_code order by value desc nulls last)
            as rank_province
    from measures

),

compared as (

    select
        ranked.*,
        previous_year.rank_national as previous_rank_national,
        previous_year.rank_province as previous_rank_province,
        ranked.rank_province <= {{ var('province_top_n') }} as is_province_top_n,
        -- The city's best province rank in any earlier loaded year of this measure.
        (
            select min(earlier.rank_province)
            from ranked as earlier
            where earlier.measure = ranked.measure
                and earlier.city_code = ranked.city_code
                and earlier.data_year < ranked.data_year
        ) as best_earlier_rank_province
    from ranked
    left join ranked as previous_year
        on ranked.measure = previous_year.measure
        and ranked.city_code = previous_year.city_code
        and ranked.data_year - 1 = previous_year.data_year

)

select
    measure,
    city_code,
    city_name,
    province_code,
    province_name,
    data_year,
    value,
    rank_national,
    rank_province,
    previous_rank_national,
    previous_rank_province,
    case when {{ var('rank_boundary_breaks') }} or not boundary_break
        then previous_rank_national - rank_national end as rank_change,
    case when {{ var('rank_boundary_breaks') }} or not boundary_break
        then previous_rank_province - rank_province end as rank_change_province,
    is_province_top_n,
    -- First time in the province's top N: in it now, ranked in an earlier year, never in
    -- it before (a city's first loaded year is no "entry").
    coalesce(is_province_top_n
        and best_earlier_rank_province > {{ var('province_top_n') }}, false)
        as first_time_province_top_n,
    boundary_break
from compared
