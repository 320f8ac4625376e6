-- The default scheme, var('tier_scheme'), must be a scheme of seeds/tier_rules.csv:
-- otherwise mart_city_tier_year is silently empty. Returns the missing scheme name.

with tier_rules as (

    select * from {{ ref('tier_rules') }}

),

configured_scheme as (

    select '{{ var("tier_scheme") }}' as scheme

)

select configured_scheme.scheme
from configured_scheme
where not exists (
    select 1
    from tier_rules
    where tier_rules.scheme = configured_scheme.scheme
)
