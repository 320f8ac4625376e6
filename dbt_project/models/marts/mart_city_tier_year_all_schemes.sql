-- One row per (scheme, city_code, data_year): the tier of every prefecture-level city (and
-- municipality) in every data year with a GDP or urban-area population figure, under every
-- scheme of seeds/tier_rules.csv, with the inputs that decided it and a readable reason.
--
-- Rule table semantics: a scheme's rules are tried in rule_order; the conditions within a
-- row are ANDed (null = no condition; a condition on an unknown input does not match);
-- the first matching rule decides the tier; every matching rule of that tier is quoted in
-- `reason` (so several rows of one tier are ORed). The last rule of a scheme has no
-- condition: the fallback.
--
-- Size class for data year Y: among the urban-area population figures of the city from
-- basis years <= Y and at most var('size_class_max_age_years') years old, the basis with
-- the best size_class_priority (seeds/population_bases.csv), then its latest basis year.

with int_city_years_pivoted as (

    select * from {{ ref('int_city_years_pivoted') }}

),

mart_city_size_class as (

    select * from {{ ref('mart_city_size_class') }}

),

tier_rules as (

    select * from {{ ref('tier_rules') }}

),

city_years as (

    select
        city_code,
        city_name,
        province_code,
        province_name,
        city_level,
        is_provincial_capital,
        is_municipality,
        data_year,
        gdp_yuan
    from int_city_years_pivoted
    where gdp_yuan is not null
        or has_urban_area_population

),

size_class_candidates as (

    select
        city_years.city_code,
        city_years.data_year,
        mart_city_size_class.data_year as size_class_basis_year,
        mart_city_size_class.basis as size_class_basis,
        mart_city_size_class.urban_population_persons,
        mart_city_size_class.size_class,
        mart_city_size_class.size_class_name_zh,
        row_number() over (
            partition by city_years.city_code, city_years.data_year
            order by
                mart_city_size_class.size_class_priority,
                mart_city_size_class.data_year desc
        ) as candidate_rank
    from city_years
    inner join mart_city_size_class
        on city_years.city_code = mart_city_size_class.city_code
        and mart_city_size_class.data_year <= city_years.data_year
        and city_years.data_year - mart_city_size_class.data_year
            <= {{ var('size_class_max_age_years') }}
    where mart_city_size_class.size_class_priority is not null

),

city_years_with_inputs as (

    select
        city_years.*,
        city_years.gdp_yuan >= {{ var('trillion_yuan') }} as is_trillion_club,
        size_class_candidates.urban_population_persons,
        size_class_candidates.size_class,
        size_class_candidates.size_class_name_zh,
        size_class_candidates.size_class_basis,
        size_class_candidates.size_class_basis_year
    from city_years
    left join size_class_candidates
        on city_years.city_code = size_class_candidates.city_code
        and city_years.data_year = size_class_candidates.data_year
        and size_class_candidates.candidate_rank = 1

),

tier_orders as (

    select
        scheme,
        tier,
        min(rule_order) as tier_order
    from tier_rules
    group by
        scheme,
        tier

),

rule_matches as (

    select
        tier_rules.scheme,
        city_years_with_inputs.city_code,
        city_years_with_inputs.data_year,
        tier_rules.tier,
        tier_rules.rule_order,
        tier_rules.description,
        tier_rules.description_zh
    from city_years_with_inputs
    cross join tier_rules
    where (tier_rules.gdp_min_yuan is null
            or city_years_with_inputs.gdp_yuan >= tier_rules.gdp_min_yuan)
        and (tier_rules.gdp_max_yuan is null
            or city_years_with_inputs.gdp_yuan < tier_rules.gdp_max_yuan)
        and (tier_rules.urban_pop_min is null
            or city_years_with_inputs.urban_population_persons >= tier_rules.urban_pop_min)
        and (tier_rules.urban_pop_max is null
            or city_years_with_inputs.urban_population_persons < tier_rules.urban_pop_max)
        and (tier_rules.requires_capital_or_municipality is null
            or not tier_rules.requires_capital_or_municipality
            or city_years_with_inputs.is_provincial_capital
            or city_years_with_inputs.is_municipality)
        and (tier_rules.city_level is null
            or city_years_with_inputs.city_level = tier_rules.city_level)

),

first_matches as (

    select
        scheme,
        city_code,
        data_year,
        min(rule_order) as deciding_rule_order
    from rule_matches
    group by
        scheme,
        city_code,
        data_year

),

winning_tiers as (

    select
        rule_matches.scheme,
        rule_matches.city_code,
        rule_matches.data_year,
        rule_matches.tier,
        rule_matches.rule_order as deciding_rule_order
    from rule_matches
    inner join first_matches
        on rule_matches.scheme = first_matches.scheme
        and rule_matches.city_code = first_matches.city_code
        and rule_matches.data_year = first_matches.data_year
        and rule_matches.rule_order = first_matches.deciding_rule_order

),

tier_reasons as (

    select
        winning_tiers.scheme,
        winning_tiers.city_code,
        winning_tiers.data_year,
        winning_tiers.tier,
        winning_tiers.deciding_rule_order,
        count(*) as matched_rule_count,
        {{ dbt.listagg('rule_matches.description', "'; '", 'order by rule_matches.rule_order') }}
            as matched_rules,
        {{ dbt.listagg('rule_matches.description_zh', "'；'", 'order by rule_matches.rule_order') }}
            as matched_rules_zh
    from winning_tiers
    inner join rule_matches
        on winning_tiers.scheme = rule_matches.scheme
        and winning_tiers.city_code = rule_matches.city_code
        and winning_tiers.data_year = rule_matches.data_year
        and winning_tiers.tier = rule_matches.tier
    group by
        winning_tiers.scheme,
        winning_tiers.city_code,
        winning_tiers.data_year,
        winning_tiers.tier,
        winning_tiers.deciding_rule_order

),

scheme_names as (

    select distinct scheme from tier_rules

),

city_year_tiers as (

    select
        scheme_names.scheme,
        city_years_with_inputs.city_code,
        city_years_with_inputs.city_name,
        city_years_with_inputs.province_code,
        city_years_with_inputs.province_name,
        city_years_with_inputs.city_level,
        city_years_with_inputs.data_year,
        tier_reasons.tier,
        tier_orders.tier_order,
        {{ dbt.concat(["tier_reasons.tier", "': '", "tier_reasons.matched_rules"]) }} as reason,
        {{ dbt.concat(["tier_reasons.tier", "'：'", "tier_reasons.matched_rules_zh"]) }} as reason_zh,
        tier_reasons.deciding_rule_order,
        tier_reasons.matched_rule_count,
        coalesce(city_years_with_inputs.is_trillion_club, false) as is_trillion_club,
        city_years_with_inputs.is_provincial_capital,
        city_years_with_inputs.is_municipality,
        city_years_with_inputs.size_class,
        city_years_with_inputs.size_class_name_zh,
        city_years_with_inputs.size_class_basis,
        city_years_with_inputs.size_class_basis_year,
        city_years_with_inputs.gdp_yuan,
        city_years_with_inputs.urban_population_persons,
        case
            when city_years_with_inputs.gdp_yuan is null
                and city_years_with_inputs.urban_population_persons is null
                then 'gdp, urban_population'
            when city_years_with_inputs.gdp_yuan is null then 'gdp'
            when city_years_with_inputs.urban_population_persons is null then 'urban_population'
        end as missing_inputs
    from city_years_with_inputs
    cross join scheme_names
    left join tier_reasons
        on scheme_names.scheme = tier_reasons.scheme
        and city_years_with_inputs.city_code = tier_reasons.city_code
        and city_years_with_inputs.data_year = tier_reasons.data_year
    left join tier_orders
        on tier_reasons.scheme = tier_orders.scheme
        and tier_reasons.tier = tier_orders.tier

)

select * from city_year_tiers
