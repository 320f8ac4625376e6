-- One row per city-year to tier (int_city_years_to_tier) with the inputs the tier rules
-- read: its GDP and trillion-club flag, the urban-area (城区) population and size class the
-- population-basis policy chose (int_city_year_size_classes; no row there: null), and
-- missing_inputs, the inputs that are unknown. Its own model so that the rules
-- (int_city_year_tier_rules_applied) and the published tier (int_city_year_tiers_by_scheme)
-- read one set of inputs.

with int_city_years_to_tier as (

    select * from {{ ref('int_city_years_to_tier') }}

),

int_city_year_size_classes as (

    select * from {{ ref('int_city_year_size_classes') }}

),

city_years_with_inputs as (

    select
        int_city_years_to_tier.city_code,
        int_city_years_to_tier.city_name,
        int_city_years_to_tier.province_code,
        int_city_years_to_tier.province_name,
        int_city_years_to_tier.city_level,
        int_city_years_to_tier.is_prefecture_level,
        int_city_years_to_tier.is_provincial_capital,
        int_city_years_to_tier.is_municipality,
        int_city_years_to_tier.data_year,
        int_city_years_to_tier.gdp_yuan,
        int_city_years_to_tier.gdp_yuan >= {{ var('trillion_yuan') }} as is_trillion_club,
        int_city_year_size_classes.urban_population_persons,
        int_city_year_size_classes.size_class,
        int_city_year_size_classes.size_class_name_zh,
        int_city_year_size_classes.size_class_basis,
        int_city_year_size_classes.size_class_basis_year,
        int_city_year_size_classes.size_class_basis_is_later
    from int_city_years_to_tier
    left join int_city_year_size_classes
        on int_city_years_to_tier.city_code = int_city_year_size_classes.city_code
        and int_city_years_to_tier.data_year = int_city_year_size_classes.data_year

),

city_years_with_missing_inputs as (

    select
        city_years_with_inputs.*,
        case
            when gdp_yuan is null and urban_population_persons is null
                then 'gdp, urban_population'
            when gdp_yuan is null then 'gdp'
            when urban_population_persons is null then 'urban_population'
        end as missing_inputs
    from city_years_with_inputs

)

select * from city_years_with_missing_inputs
