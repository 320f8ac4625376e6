-- The trillion club (var trillion_yuan) and the head rule "GDP >= 1 trillion" of the
-- default scheme must use one threshold: a row here means someone changed only one.
select
    scheme,
    tier,
    rule_order,
    gdp_min_yuan
from {{ ref('tier_rules') }}
where scheme = '{{ var("tier_scheme") }}'
    and tier = 'head'
    and gdp_min_yuan is not null
    and gdp_min_yuan <> {{ var('trillion_yuan') }}
