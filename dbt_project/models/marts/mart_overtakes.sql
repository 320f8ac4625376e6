-- One row per (comparison, data_year, city_code, peer_city_code): the GDP overtakes (逆袭)
-- of mart_measure_overtakes, with the GDP columns named for what they hold. The rule
-- (behind in data year - 1, ahead now; national top var('overtake_top_n') or same province;
-- first_time; boundary breaks left out unless var('rank_boundary_breaks')) is written there
-- once, for every measure.

with mart_measure_overtakes as (

    select * from {{ ref('mart_measure_overtakes') }}

)

select
    comparison,
    data_year,
    city_code,
    city_name,
    peer_city_code,
    peer_city_name,
    province_code,
    province_name,
    peer_province_code,
    value as gdp_yuan,
    peer_value as peer_gdp_yuan,
    previous_value as previous_gdp_yuan,
    peer_previous_value as peer_previous_gdp_yuan,
    rank_in_comparison,
    peer_rank_in_comparison,
    previous_rank_in_comparison,
    peer_previous_rank_in_comparison,
    first_time,
    boundary_break
from mart_measure_overtakes
where measure = 'gdp'
