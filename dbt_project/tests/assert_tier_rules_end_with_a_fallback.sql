-- Every scheme of seeds/tier_rules.csv ends with exactly one condition-less rule (the
-- fallback), so every city gets a tier. Returns the schemes that break this, with why.

with tier_rules as (

    select * from {{ ref('tier_rules') }}

),

rules_flagged as (

    select
        scheme,
        rule_order,
        gdp_min_yuan is null
            and gdp_max_yuan is null
            and urban_pop_min is null
            and urban_pop_max is null
            and coalesce(requires_capital_or_municipality, false) = false
            and city_level is null as is_fallback,
        max(rule_order) over (partition by scheme) as last_rule_order
    from tier_rules

),

schemes_checked as (

    select
        scheme,
        count(case when is_fallback then 1 end) as fallback_count,
        count(case when is_fallback and rule_order = last_rule_order then 1 end) as fallback_last_count
    from rules_flagged
    group by scheme

)

select * from schemes_checked
where fallback_count <> 1
    or fallback_last_count <> 1
