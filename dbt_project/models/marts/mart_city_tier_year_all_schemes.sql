-- One row per (scheme, city_code, data_year): the tier of every prefecture-level city (and
-- municipality) and county-level city (县级市) of int_city_years_to_tier under every scheme of
-- seeds/tier_rules.csv; is_prefecture_level says which of the two series a row is in
-- (count tiers per year within one series: like with like). The rules are applied in
-- int_city_year_tiers_by_scheme, the population basis chosen in int_city_year_size_classes; this
-- mart publishes them in the order analysts read them.

with int_city_year_tiers_by_scheme as (

    select * from {{ ref('int_city_year_tiers_by_scheme') }}

)

select
    scheme,
    city_code,
    city_name,
    province_code,
    province_name,
    city_level,
    is_prefecture_level,
    data_year,
    tier,
    tier_order,
    reason,
    reason_zh,
    deciding_rule_order,
    matched_rule_count,
    is_trillion_club,
    is_provincial_capital,
    is_municipality,
    size_class,
    size_class_name_zh,
    size_class_basis,
    size_class_basis_year,
    size_class_basis_is_later,
    gdp_yuan,
    urban_population_persons,
    missing_inputs
from int_city_year_tiers_by_scheme
