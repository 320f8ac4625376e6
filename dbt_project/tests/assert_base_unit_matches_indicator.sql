-- Every stored value is in its indicator's base unit (seeds/indicators.csv).
-- Returns the offending (indicator_code, base_unit) pairs with a count.

with stg_raw__observations as (

    select * from {{ ref('stg_raw__observations') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

mismatched_units as (

    select
        stg_raw__observations.indicator_code,
        stg_raw__observations.base_unit,
        indicators.base_unit as expected_base_unit,
        count(*) as n_observations
    from stg_raw__observations
    inner join indicators
        on stg_raw__observations.indicator_code = indicators.indicator_code
    where stg_raw__observations.base_unit <> indicators.base_unit
    group by
        stg_raw__observations.indicator_code,
        stg_raw__observations.base_unit,
        indicators.base_unit

)

select * from mismatched_units
