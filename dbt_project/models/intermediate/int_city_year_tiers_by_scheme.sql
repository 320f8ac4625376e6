-- One row per (scheme, city_code, data_year): the tier of every city-year of
-- int_city_years_to_tier (prefecture-level cities and municipalities with a GDP or urban-area
-- population figure; county-level cities in every tier year their urban-area figure may
-- size them under the population-basis policy), under every scheme of
-- seeds/tier_rules.csv, with the inputs that decided it and a readable reason.
-- is_prefecture_level keeps the two series apart (counts compare within one of them).
--
-- Rule table semantics: a scheme's rules are tried in rule_order; the conditions within a
-- row are ANDed (null = no condition); the first matching rule decides the tier; every
-- matching rule of that tier is quoted in `reason` (so several rows of one tier are ORed).
-- The last rule of a scheme has no condition: the fallback.
--
-- No tier is decided by a missing value. A condition on an unknown input (no GDP, no
-- urban-area population within the population-basis policy: int_city_year_size_classes)
-- is neither true nor false (SQL's three-valued logic does exactly that). When a rule of
-- another tier, tried before the deciding one, holds except for such unknowns, the city
-- could be in that tier: it is var('unclassified_tier') instead, and missing_inputs names
-- what is missing. A capital without a GDP figure is still head (no earlier rule of
-- another tier can win); a city without 城区 population is unclassified, not tail.

with int_city_years_to_tier as (

    select * from {{ ref('int_city_years_to_tier') }}

),

int_city_year_size_classes as (

    select * from {{ ref('int_city_year_size_classes') }}

),

tier_rules as (

    select * from {{ ref('tier_rules') }}

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

rule_evaluations as (

    -- rule_holds: true (every condition holds), false (one fails) or null (none fails,
    -- one is on an unknown input).
    select
        tier_rules.scheme,
        city_years_with_inputs.city_code,
        city_years_with_inputs.data_year,
        tier_rules.tier,
        tier_rules.rule_order,
        tier_rules.description,
        tier_rules.description_zh,
        (tier_rules.gdp_min_yuan is null
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
        -- city_level: one level, or several separated by ';' (prefecture_city;municipality).
        and (tier_rules.city_level is null
            or {{ dbt.position(dbt.concat(["';'", "city_years_with_inputs.city_level", "';'"]),
                               dbt.concat(["';'", "tier_rules.city_level", "';'"])) }} > 0)
            as rule_holds
    from city_years_with_inputs
    cross join tier_rules

),

deciding_rules as (

    select
        scheme,
        city_code,
        data_year,
        min(rule_order) as deciding_rule_order
    from rule_evaluations
    where rule_holds
    group by
        scheme,
        city_code,
        data_year

),

winning_tiers as (

    select
        rule_evaluations.scheme,
        rule_evaluations.city_code,
        rule_evaluations.data_year,
        rule_evaluations.tier,
        rule_evaluations.rule_order as deciding_rule_order
    from rule_evaluations
    inner join deciding_rules
        on rule_evaluations.scheme = deciding_rules.scheme
        and rule_evaluations.city_code = deciding_rules.city_code
        and rule_evaluations.data_year = deciding_rules.data_year
        and rule_evaluations.rule_order = deciding_rules.deciding_rule_order

),

undecidable as (

    -- The first earlier rule of another tier that only an unknown input kept from holding.
    select
        winning_tiers.scheme,
        winning_tiers.city_code,
        winning_tiers.data_year,
        min(rule_evaluations.rule_order) as open_rule_order
    from winning_tiers
    inner join rule_evaluations
        on winning_tiers.scheme = rule_evaluations.scheme
        and winning_tiers.city_code = rule_evaluations.city_code
        and winning_tiers.data_year = rule_evaluations.data_year
        and rule_evaluations.rule_order < winning_tiers.deciding_rule_order
        and rule_evaluations.tier <> winning_tiers.tier
        and rule_evaluations.rule_holds is null
    group by
        winning_tiers.scheme,
        winning_tiers.city_code,
        winning_tiers.data_year

),

tier_reasons as (

    select
        winning_tiers.scheme,
        winning_tiers.city_code,
        winning_tiers.data_year,
        winning_tiers.tier,
        winning_tiers.deciding_rule_order,
        count(*) as matched_rule_count,
        {{ ordered_listagg('rule_evaluations.description', "'; '", 'rule_evaluations.rule_order') }}
            as matched_rules,
        {{ ordered_listagg('rule_evaluations.description_zh', "'；'", 'rule_evaluations.rule_order') }}
            as matched_rules_zh
    from winning_tiers
    inner join rule_evaluations
        on winning_tiers.scheme = rule_evaluations.scheme
        and winning_tiers.city_code = rule_evaluations.city_code
        and winning_tiers.data_year = rule_evaluations.data_year
        and winning_tiers.tier = rule_evaluations.tier
        and rule_evaluations.rule_holds
    group by
        winning_tiers.scheme,
        winning_tiers.city_code,
        winning_tiers.data_year,
        winning_tiers.tier,
        winning_tiers.deciding_rule_order

),

tier_orders as (

    -- A tier's rank in its scheme: its best rule_order; unclassified ranks after them all.
    select
        scheme,
        tier,
        min(rule_order) as tier_order
    from tier_rules
    group by
        scheme,
        tier
    union all
    select
        scheme,
        '{{ var("unclassified_tier") }}' as tier,
        max(rule_order) + 1 as tier_order
    from tier_rules
    group by
        scheme

),

missing as (

    select
        city_code,
        data_year,
        case
            when gdp_yuan is null and urban_population_persons is null
                then 'gdp, urban_population'
            when gdp_yuan is null then 'gdp'
            when urban_population_persons is null then 'urban_population'
        end as missing_inputs
    from city_years_with_inputs

),

city_year_tiers as (

    select
        tier_reasons.scheme,
        city_years_with_inputs.city_code,
        city_years_with_inputs.city_name,
        city_years_with_inputs.province_code,
        city_years_with_inputs.province_name,
        city_years_with_inputs.city_level,
        city_years_with_inputs.is_prefecture_level,
        city_years_with_inputs.data_year,
        case
            when undecidable.open_rule_order is not null then '{{ var("unclassified_tier") }}'
            else tier_reasons.tier
        end as tier,
        case
            when undecidable.open_rule_order is not null then
                {{ dbt.concat(["'" ~ var("unclassified_tier") ~ ": no ' ", "missing.missing_inputs",
                               "' figure, and with it the city could be '", "open_rules.tier",
                               "' (' ", "open_rules.description", "')'"]) }}
            else {{ dbt.concat(["tier_reasons.tier", "': '", "tier_reasons.matched_rules"]) }}
        end as reason,
        case
            when undecidable.open_rule_order is not null then
                {{ dbt.concat(["'" ~ var("unclassified_tier") ~ "：缺少' ", "missing.missing_inputs",
                               "'数据，可能属于' ", "open_rules.tier", "'（'", "open_rules.description_zh", "'）'"]) }}
            else {{ dbt.concat(["tier_reasons.tier", "'：'", "tier_reasons.matched_rules_zh"]) }}
        end as reason_zh,
        -- Unclassified: no rule decided (the fallback only held for want of an input).
        case when undecidable.open_rule_order is null
            then tier_reasons.deciding_rule_order end as deciding_rule_order,
        case when undecidable.open_rule_order is null
            then tier_reasons.matched_rule_count end as matched_rule_count,
        coalesce(city_years_with_inputs.is_trillion_club, false) as is_trillion_club,
        city_years_with_inputs.is_provincial_capital,
        city_years_with_inputs.is_municipality,
        city_years_with_inputs.size_class,
        city_years_with_inputs.size_class_name_zh,
        city_years_with_inputs.size_class_basis,
        city_years_with_inputs.size_class_basis_year,
        city_years_with_inputs.size_class_basis_is_later,
        city_years_with_inputs.gdp_yuan,
        city_years_with_inputs.urban_population_persons,
        missing.missing_inputs
    from city_years_with_inputs
    inner join tier_reasons
        on city_years_with_inputs.city_code = tier_reasons.city_code
        and city_years_with_inputs.data_year = tier_reasons.data_year
    inner join missing
        on city_years_with_inputs.city_code = missing.city_code
        and city_years_with_inputs.data_year = missing.data_year
    left join undecidable
        on tier_reasons.scheme = undecidable.scheme
        and tier_reasons.city_code = undecidable.city_code
        and tier_reasons.data_year = undecidable.data_year
    left join tier_rules as open_rules
        on undecidable.scheme = open_rules.scheme
        and undecidable.open_rule_order = open_rules.rule_order

)

select
    city_year_tiers.*,
    tier_orders.tier_order
from city_year_tiers
inner join tier_orders
    on city_year_tiers.scheme = tier_orders.scheme
    and city_year_tiers.tier = tier_orders.tier
