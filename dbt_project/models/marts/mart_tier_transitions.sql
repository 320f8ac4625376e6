-- One row per (city_code, data_year) where the city's tier under the default scheme
-- (var('tier_scheme')) differs from its tier in data year - 1: from and to tier, the
-- reasons of both years, the direction (up = towards the scheme's first tier, by the
-- tier's best rule_order in seeds/tier_rules.csv) and whether the city's territory
-- changed that year (int_boundary_changes_derived).

with mart_city_tier_year as (

    select * from {{ ref('mart_city_tier_year') }}

),

int_boundary_changes_derived as (

    select * from {{ ref('int_boundary_changes_derived') }}

),

break_years as (

    {{ boundary_break_years('int_boundary_changes_derived') }}

),

tier_changes as (

    select
        tier_now.city_code,
        tier_now.city_name,
        tier_now.province_code,
        tier_now.province_name,
        tier_now.scheme,
        tier_before.data_year as from_year,
        tier_now.data_year,
        tier_before.tier as from_tier,
        tier_now.tier as to_tier,
        case
            when tier_now.tier_order < tier_before.tier_order then 'up'
            else 'down'
        end as direction,
        tier_before.reason as from_reason,
        tier_now.reason as to_reason,
        tier_before.reason_zh as from_reason_zh,
        tier_now.reason_zh as to_reason_zh,
        break_years.city_code is not null as boundary_break
    from mart_city_tier_year as tier_now
    inner join mart_city_tier_year as tier_before
        on tier_now.city_code = tier_before.city_code
        and tier_now.data_year - 1 = tier_before.data_year
    left join break_years
        on tier_now.city_code = break_years.city_code
        and tier_now.data_year = break_years.data_year
    where tier_now.tier <> tier_before.tier
        -- A year without the inputs to tier the city is not a move (into or out of it).
        and tier_now.tier <> '{{ var("unclassified_tier") }}'
        and tier_before.tier <> '{{ var("unclassified_tier") }}'

)

select * from tier_changes
