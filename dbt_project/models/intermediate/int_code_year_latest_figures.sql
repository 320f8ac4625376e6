-- One row per city code and data year with at least one whole-city GDP / GDP per capita /
-- real growth / resident population / per-capita disposable income figure or an
-- urban-area (城区) population figure, whatever the code's level: the latest vintages
-- pivoted into columns. int_prefecture_city_year_figures gives them the city row of their
-- data year (prefecture-level cities and municipalities); int_tier_years and
-- int_county_level_city_years_to_tier take the county-level cities' urban-area years and
-- GDP from here too.
--
-- Basis choice: where a whole-city figure exists on several bases, the indicator's
-- default_basis (seeds/indicators.csv) wins, then the other bases by basis_code; the basis
-- of the resident population used for per-capita GDP is kept in population_resident_basis.
-- gdp_reported_yuan is the latest GDP on the basis 'reported' only (what the rows of
-- int_county_level_city_years_to_tier carry). Urban-area population is not pivoted here
-- (size classes pick their basis themselves, see int_city_year_urban_populations_banded);
-- only its presence is.

with int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

latest_whole_city_observations as (

    select
        int_observations_ranked.city_code,
        int_observations_ranked.data_year,
        int_observations_ranked.indicator_code,
        int_observations_ranked.basis,
        int_observations_ranked.value,
        int_observations_ranked.release_id,
        row_number() over (
            partition by
                int_observations_ranked.city_code,
                int_observations_ranked.data_year,
                int_observations_ranked.indicator_code
            order by
                case when int_observations_ranked.basis = indicators.default_basis then 0 else 1 end nulls last,
                int_observations_ranked.basis nulls last
        ) as basis_rank
    from int_observations_ranked
    inner join indicators
        on int_observations_ranked.indicator_code = indicators.indicator_code
    where int_observations_ranked.vintage_rank = 1
        and int_observations_ranked.scope = 'whole_city'
        and int_observations_ranked.indicator_code in
            ('gdp', 'gdp_per_capita', 'gdp_growth_real_pct', 'population_resident',
             'disposable_income_per_capita')

),

whole_city_figures as (

    select
        city_code,
        data_year,
        max(case when indicator_code = 'gdp' then value end) as gdp_yuan,
        max(case when indicator_code = 'gdp' then release_id end) as gdp_release_id,
        max(case when indicator_code = 'gdp_per_capita' then value end) as gdp_per_capita_reported_yuan,
        max(case when indicator_code = 'gdp_growth_real_pct' then value end) as gdp_growth_real_pct,
        max(case when indicator_code = 'population_resident' then value end) as population_resident_persons,
        max(case when indicator_code = 'population_resident' then basis end) as population_resident_basis,
        max(case when indicator_code = 'disposable_income_per_capita' then value end)
            as disposable_income_per_capita_yuan
    from latest_whole_city_observations
    where basis_rank = 1
    group by
        city_code,
        data_year

),

reported_gdp as (

    select
        city_code,
        data_year,
        max(value) as gdp_reported_yuan
    from int_observations_ranked
    where vintage_rank = 1
        and scope = 'whole_city'
        and indicator_code = 'gdp'
        and basis = 'reported'
    group by
        city_code,
        data_year

),

urban_area_years as (

    select distinct
        city_code,
        data_year
    from int_observations_ranked
    where vintage_rank = 1
        and scope = 'urban_area'
        and indicator_code = 'population_urban_area'

),

city_years as (

    select city_code, data_year from whole_city_figures
    union
    select city_code, data_year from urban_area_years

),

city_year_figures as (

    select
        city_years.city_code,
        city_years.data_year,
        whole_city_figures.gdp_yuan,
        whole_city_figures.gdp_release_id,
        whole_city_figures.gdp_per_capita_reported_yuan,
        whole_city_figures.gdp_growth_real_pct,
        whole_city_figures.population_resident_persons,
        whole_city_figures.population_resident_basis,
        whole_city_figures.disposable_income_per_capita_yuan,
        reported_gdp.gdp_reported_yuan,
        urban_area_years.city_code is not null as has_urban_area_population
    from city_years
    left join whole_city_figures
        on city_years.city_code = whole_city_figures.city_code
        and city_years.data_year = whole_city_figures.data_year
    left join reported_gdp
        on city_years.city_code = reported_gdp.city_code
        and city_years.data_year = reported_gdp.data_year
    left join urban_area_years
        on city_years.city_code = urban_area_years.city_code
        and city_years.data_year = urban_area_years.data_year

)

select * from city_year_figures
