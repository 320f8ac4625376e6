-- One row per (city_code, data_year) with a whole-city GDP figure, among prefecture-level
-- cities and municipalities (int_prefecture_city_year_figures): the GDP ranks (national
-- and within the province) and the figures each growth measure of mart_growth_ranking_year
-- compares with: the previous data year's GDP and ranks, the GDP var('cagr_years') years
-- earlier, and the previous year's GDP as printed by the release of this year's figure.
--
-- Boundary breaks (int_boundary_changes_derived): boundary_break when the city's territory
-- changed in this data year (growth from the year before is not real growth);
-- cagr_boundary_break when it changed within the CAGR window.
--
-- Growth across revisions: where the release of Y's figure also printed Y-1 (a yearbook
-- restating the year before), same_release_previous_gdp_yuan is that release's Y-1, so a
-- revision of Y-1 published since cannot pass for growth.

with int_prefecture_city_year_figures as (

    select * from {{ ref('int_prefecture_city_year_figures') }}

),

int_boundary_changes_derived as (

    select * from {{ ref('int_boundary_changes_derived') }}

),

int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

-- Every release's whole-city GDP figures on GDP's default basis, keyed to the year after:
-- the base a release itself gives for growth into that year.
gdp_by_release_for_next_year as (

    select
        int_observations_ranked.release_id,
        int_observations_ranked.city_code,
        int_observations_ranked.data_year + 1 as data_year,
        int_observations_ranked.value as gdp_yuan
    from int_observations_ranked
    inner join indicators
        on int_observations_ranked.indicator_code = indicators.indicator_code
        and int_observations_ranked.basis = indicators.default_basis
    where int_observations_ranked.indicator_code = 'gdp'
        and int_observations_ranked.scope = 'whole_city'

),

city_gdp as (

    select * from int_prefecture_city_year_figures
    where gdp_yuan is not null

),

break_years as (

    {{ boundary_break_years('int_boundary_changes_derived') }}

),

cagr_window_breaks as (

    select distinct
        city_gdp.city_code,
        city_gdp.data_year
    from city_gdp
    inner join break_years
        on city_gdp.city_code = break_years.city_code
        and break_years.data_year > city_gdp.data_year - {{ var('cagr_years') }}
        and break_years.data_year <= city_gdp.data_year

),

city_gdp_ranked as (

    select
        city_gdp.*,
        rank() over (
            partition by city_gdp.data_year
            order by city_gdp.gdp_yuan desc nulls last
        ) as gdp_rank_national,
        rank() over (
            partition by city_gdp.data_year, city_gdp.province_code
            order by city_gdp.gdp_yuan desc nulls last
        ) as gdp_rank_province
    from city_gdp

),

city_gdp_compared as (

    select
        city_gdp_ranked.*,
        previous_year.gdp_yuan as previous_gdp_yuan,
        previous_year.gdp_release_id as previous_gdp_release_id,
        same_release.gdp_yuan as same_release_previous_gdp_yuan,
        previous_year.gdp_rank_national as previous_gdp_rank_national,
        previous_year.gdp_rank_province as previous_gdp_rank_province,
        cagr_base.data_year as cagr_base_year,
        cagr_base.gdp_yuan as cagr_base_gdp_yuan,
        cagr_base.gdp_release_id as cagr_base_gdp_release_id,
        break_years.city_code is not null as boundary_break,
        cagr_window_breaks.city_code is not null as cagr_boundary_break
    from city_gdp_ranked
    left join city_gdp_ranked as previous_year
        on city_gdp_ranked.city_code = previous_year.city_code
        and city_gdp_ranked.data_year - 1 = previous_year.data_year
    left join city_gdp_ranked as cagr_base
        on city_gdp_ranked.city_code = cagr_base.city_code
        and city_gdp_ranked.data_year - {{ var('cagr_years') }} = cagr_base.data_year
    left join gdp_by_release_for_next_year as same_release
        on city_gdp_ranked.gdp_release_id = same_release.release_id
        and city_gdp_ranked.city_code = same_release.city_code
        and city_gdp_ranked.data_year = same_release.data_year
    left join break_years
        on city_gdp_ranked.city_code = break_years.city_code
        and city_gdp_ranked.data_year = break_years.data_year
    left join cagr_window_breaks
        on city_gdp_ranked.city_code = cagr_window_breaks.city_code
        and city_gdp_ranked.data_year = cagr_window_breaks.data_year

)

select * from city_gdp_compared
