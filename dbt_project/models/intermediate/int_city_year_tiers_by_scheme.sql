-- One row per (scheme, city_code, data_year): the tier of every city-year of
-- int_city_years_to_tier (prefecture-level cities and municipalities with a GDP or
-- urban-area population figure; county-level cities in every tier year their urban-area
-- figure may size them) under every scheme of seeds/tier_rules.csv, as
-- mart_city_tier_year_all_schemes publishes it. is_prefecture_level keeps the two series
-- apart (counts compare within one of them).
--
-- The rules are applied in int_city_year_tier_rules_applied; this model words the result.
-- No tier is decided by a missing value: where an earlier rule of another tier held but
-- for an unknown input (open_rule_order), the city-year is var('unclassified_tier') and
-- reason names the missing input and the tier it could decide. A capital without a GDP
-- figure is still head (no earlier rule of another tier can win); a city without 城区
-- population is unclassified, not tail. tier_order ranks the tiers of a scheme.

with int_city_year_tier_inputs as (

    select * from {{ ref('int_city_year_tier_inputs') }}

),

int_city_year_tier_rules_applied as (

    select * from {{ ref('int_city_year_tier_rules_applied') }}

),

tier_rules as (

    select * from {{ ref('tier_rules') }}

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

city_year_tiers as (

    select
        rules_applied.scheme,
        inputs.city_code,
        inputs.city_name,
        inputs.province_code,
        inputs.province_name,
        inputs.city_level,
        inputs.is_prefecture_level,
        inputs.data_year,
        case
            when rules_applied.open_rule_order is not null then '{{ var("unclassified_tier") }}'
            else rules_applied.tier
        end as tier,
        case
            when rules_applied.open_rule_order is not null then
                {{ dbt.concat(["'" ~ var("unclassified_tier") ~ ": no ' ", "inputs.missing_inputs",
                               "' figure, and with it the city could be '", "open_rules.tier",
                               "' (' ", "open_rules.description", "')'"]) }}
            else {{ dbt.concat(["rules_applied.tier", "': '", "rules_applied.matched_rules"]) }}
        end as reason,
        case
            when rules_applied.open_rule_order is not null then
                {{ dbt.concat(["'" ~ var("unclassified_tier") ~ "：缺少' ", "inputs.missing_inputs",
                               "'数据，可能属于' ", "open_rules.tier", "'（'", "open_rules.description_zh", "'）'"]) }}
            else {{ dbt.concat(["rules_applied.tier", "'：'", "rules_applied.matched_rules_zh"]) }}
        end as reason_zh,
        -- Unclassified: no rule decided (the fallback only held for want of an input).
        case when rules_applied.open_rule_order is null
            then rules_applied.deciding_rule_order end as deciding_rule_order,
        case when rules_applied.open_rule_order is null
            then rules_applied.matched_rule_count end as matched_rule_count,
        coalesce(inputs.is_trillion_club, false) as is_trillion_club,
        inputs.is_provincial_capital,
        inputs.is_municipality,
        inputs.size_class,
        inputs.size_class_name_zh,
        inputs.size_class_basis,
        inputs.size_class_basis_year,
        inputs.size_class_basis_is_later,
        inputs.gdp_yuan,
        inputs.urban_population_persons,
        inputs.missing_inputs
    from int_city_year_tier_inputs as inputs
    inner join int_city_year_tier_rules_applied as rules_applied
        on inputs.city_code = rules_applied.city_code
        and inputs.data_year = rules_applied.data_year
    left join tier_rules as open_rules
        on rules_applied.scheme = open_rules.scheme
        and rules_applied.open_rule_order = open_rules.rule_order

)

select
    city_year_tiers.*,
    tier_orders.tier_order
from city_year_tiers
inner join tier_orders
    on city_year_tiers.scheme = tier_orders.scheme
    and city_year_tiers.tier = tier_orders.tier
