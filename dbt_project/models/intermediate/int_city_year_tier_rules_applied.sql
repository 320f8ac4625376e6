-- One row per (scheme, city_code, data_year) of int_city_year_tier_inputs: the rules of
-- seeds/tier_rules.csv applied. A scheme's rules are tried in rule_order; the conditions
-- within a row are ANDed (null = no condition); the first rule that holds decides the tier
-- (deciding_rule_order), and every holding rule of that tier is quoted (matched_rules, so
-- several rows of one tier are ORed). A condition on an unknown input neither holds nor
-- fails (SQL's three-valued logic); open_rule_order is the first earlier rule of another
-- tier that only such an unknown kept from holding: with that input the city could be in
-- that tier (int_city_year_tiers_by_scheme then publishes it as unclassified).

with int_city_year_tier_inputs as (

    select * from {{ ref('int_city_year_tier_inputs') }}

),

tier_rules as (

    select * from {{ ref('tier_rules') }}

),

rule_evaluations as (

    -- rule_holds: true (every condition holds), false (one fails) or null (none fails,
    -- one is on an unknown input).
    select
        tier_rules.scheme,
        inputs.city_code,
        inputs.data_year,
        tier_rules.tier,
        tier_rules.rule_order,
        tier_rules.description,
        tier_rules.description_zh,
        (tier_rules.gdp_min_yuan is null or inputs.gdp_yuan >= tier_rules.gdp_min_yuan)
        and (tier_rules.gdp_max_yuan is null or inputs.gdp_yuan < tier_rules.gdp_max_yuan)
        and (tier_rules.urban_pop_min is null
            or inputs.urban_population_persons >= tier_rules.urban_pop_min)
        and (tier_rules.urban_pop_max is null
            or inputs.urban_population_persons < tier_rules.urban_pop_max)
        and (tier_rules.requires_capital_or_municipality is null
            or not tier_rules.requires_capital_or_municipality
            or inputs.is_provincial_capital
            or inputs.is_municipality)
        -- city_level: one level, or several separated by ';' (prefecture_city;municipality).
        and (tier_rules.city_level is null
            or {{ dbt.position(dbt.concat(["';'", "inputs.city_level", "';'"]),
                               dbt.concat(["';'", "tier_rules.city_level", "';'"])) }} > 0)
            as rule_holds
    from int_city_year_tier_inputs as inputs
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

)

select
    tier_reasons.*,
    undecidable.open_rule_order
from tier_reasons
left join undecidable
    on tier_reasons.scheme = undecidable.scheme
    and tier_reasons.city_code = undecidable.city_code
    and tier_reasons.data_year = undecidable.data_year
