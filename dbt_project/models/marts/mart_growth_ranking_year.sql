-- One row per (city_code, data_year) with a whole-city GDP figure, among prefecture-level
-- cities and municipalities: GDP, nominal growth on data year - 1, the publisher's real
-- growth, CAGR over var('cagr_years'), GDP per capita, GDP ranks (national and within the
-- province) and their change since last year, and growth ranks.
--
-- Boundary breaks (int_boundary_changes_derived): growth from Y-1 to Y of a city whose
-- territory changed in Y is not real growth. It is shown and flagged (boundary_break), and
-- left out of the growth ranks and rank changes unless var('rank_boundary_breaks') is true.
-- GDP levels are always ranked: a level on the new territory is real.
--
-- Growth across revisions: where the release of Y's figure also printed Y-1 (a yearbook
-- restating the year before), growth compares the two figures of that one release
-- (growth_basis 'same_release'), so a revision of Y-1 published since cannot pass for
-- growth; otherwise it compares the figures in force for Y and Y-1, which may come from
-- releases of different vintages (growth_basis 'latest_vintages', both releases named).
--
-- The GDP ranks and the bases compared with (previous year, same release, CAGR base,
-- boundary breaks): int_city_year_gdp_compared. This mart computes the growth measures
-- and ranks them.

with int_city_year_gdp_compared as (

    select * from {{ ref('int_city_year_gdp_compared') }}

),

city_growth as (

    select
        int_city_year_gdp_compared.*,
        coalesce(same_release_previous_gdp_yuan, previous_gdp_yuan) as growth_base_gdp_yuan,
        case
            when same_release_previous_gdp_yuan is not null then 'same_release'
            when previous_gdp_yuan is not null then 'latest_vintages'
        end as growth_basis,
        100.0 * (gdp_yuan - coalesce(same_release_previous_gdp_yuan, previous_gdp_yuan))
            / nullif(coalesce(same_release_previous_gdp_yuan, previous_gdp_yuan), 0)
            as gdp_growth_nominal_pct,
        100.0 * (
            power(
                cast(gdp_yuan as {{ type_double() }}) / nullif(cagr_base_gdp_yuan, 0),
                1.0 / {{ var('cagr_years') }}
            ) - 1
        ) as gdp_cagr_pct,
        coalesce(
            gdp_per_capita_reported_yuan,
            gdp_yuan / nullif(population_resident_persons, 0)
        ) as gdp_per_capita_yuan,
        case
            when gdp_per_capita_reported_yuan is not null then 'reported'
            when population_resident_persons > 0 then 'gdp_div_population_resident'
        end as gdp_per_capita_method,
        previous_gdp_yuan is not null
            and (not boundary_break or {{ var('rank_boundary_breaks') }})
            as is_growth_ranked
    from int_city_year_gdp_compared

),

city_growth_ranked as (

    select
        city_growth.*,
        case when is_growth_ranked then
            rank() over (
                partition by data_year, is_growth_ranked
                order by gdp_growth_nominal_pct desc nulls last
            )
        end as growth_rank_national,
        case when is_growth_ranked then
            rank() over (
                partition by data_year, province_code, is_growth_ranked
                order by gdp_growth_nominal_pct desc nulls last
            )
        end as growth_rank_province
    from city_growth

),

growth_rankings as (

    select
        city_code,
        city_name,
        province_code,
        province_name,
        data_year,
        gdp_yuan,
        previous_gdp_yuan,
        growth_base_gdp_yuan,
        growth_basis,
        gdp_growth_nominal_pct,
        gdp_growth_real_pct,
        cagr_base_year,
        cagr_base_gdp_yuan,
        gdp_cagr_pct,
        cagr_boundary_break,
        gdp_per_capita_yuan,
        gdp_per_capita_method,
        population_resident_persons,
        population_resident_basis,
        gdp_rank_national,
        gdp_rank_province,
        previous_gdp_rank_national,
        previous_gdp_rank_province,
        case when is_growth_ranked
            then previous_gdp_rank_national - gdp_rank_national
        end as rank_change,
        case when is_growth_ranked
            then previous_gdp_rank_province - gdp_rank_province
        end as rank_change_province,
        growth_rank_national,
        growth_rank_province,
        boundary_break,
        gdp_release_id,
        previous_gdp_release_id,
        cagr_base_gdp_release_id
    from city_growth_ranked

)

select * from growth_rankings
