-- One row per (measure, comparison, data_year, city_code, peer_city_code): the city was
-- behind the peer on the measure in data year - 1 and is ahead of it in the data year (逆袭).
-- The measures are mart_city_measure_rank_year's (GDP, GDP per capita, per-capita
-- disposable income: the article ranks 新余 on all three). comparison 'national': the peer
-- is in the national top var('overtake_top_n') of the measure that year; 'province': both
-- in the same province. first_time: the city was never ahead of the peer on that measure in
-- any earlier loaded year. boundary_break: either city's territory changed in the data
-- year; such pairs are left out unless var('rank_boundary_breaks') is true.

with mart_city_measure_rank_year as (

    select * from {{ ref('mart_city_measure_rank_year') }}

),

city_years as (

    select
        measure,
        city_code,
        city_name,
        province_code,
        province_name,
        data_year,
        value,
        rank_national,
        rank_province,
        boundary_break
    from mart_city_measure_rank_year

),

first_years_ahead as (

    select
        city_years.measure,
        city_years.city_code,
        peer_years.city_code as peer_city_code,
        min(city_years.data_year) as first_year_ahead
    from city_years
    inner join city_years as peer_years
        on city_years.measure = peer_years.measure
        and city_years.data_year = peer_years.data_year
        and city_years.value > peer_years.value
    group by
        city_years.measure,
        city_years.city_code,
        peer_years.city_code

),

flipped_pairs as (

    select
        city_now.measure,
        city_now.data_year,
        city_now.city_code,
        city_now.city_name,
        city_now.province_code,
        city_now.province_name,
        peer_now.city_code as peer_city_code,
        peer_now.city_name as peer_city_name,
        peer_now.province_code as peer_province_code,
        city_now.value,
        peer_now.value as peer_value,
        city_before.value as previous_value,
        peer_before.value as peer_previous_value,
        city_now.rank_national,
        peer_now.rank_national as peer_rank_national,
        city_before.rank_national as previous_rank_national,
        peer_before.rank_national as peer_previous_rank_national,
        city_now.rank_province,
        peer_now.rank_province as peer_rank_province,
        city_before.rank_province as previous_rank_province,
        peer_before.rank_province as peer_previous_rank_province,
        city_now.boundary_break or peer_now.boundary_break as boundary_break
    from city_years as city_now
    inner join city_years as peer_now
        on city_now.measure = peer_now.measure
        and city_now.data_year = peer_now.data_year
        and city_now.value > peer_now.value
    inner join city_years as city_before
        on city_now.measure = city_before.measure
        and city_now.city_code = city_before.city_code
        and city_now.data_year - 1 = city_before.data_year
    inner join city_years as peer_before
        on peer_now.measure = peer_before.measure
        and peer_now.city_code = peer_before.city_code
        and peer_now.data_year - 1 = peer_before.data_year
    where city_before.value < peer_before.value

),

overtakes_by_comparison as (

    select
        'national' as comparison,
        flipped_pairs.*,
        rank_national as rank_in_comparison,
        peer_rank_national as peer_rank_in_comparison,
        previous_rank_national as previous_rank_in_comparison,
        peer_previous_rank_national as peer_previous_rank_in_comparison
    from flipped_pairs
    where peer_rank_national <= {{ var('overtake_top_n') }}

    union all

    select
        'province' as comparison,
        flipped_pairs.*,
        rank_province as rank_in_comparison,
        peer_rank_province as peer_rank_in_comparison,
        previous_rank_province as previous_rank_in_comparison,
        peer_previous_rank_province as peer_previous_rank_in_comparison
    from flipped_pairs
    where province_code = peer_province_code

)

select
    overtakes_by_comparison.measure,
    overtakes_by_comparison.comparison,
    overtakes_by_comparison.data_year,
    overtakes_by_comparison.city_code,
    overtakes_by_comparison.city_name,
    overtakes_by_comparison.peer_city_code,
    overtakes_by_comparison.peer_city_name,
    overtakes_by_comparison.province_code,
    overtakes_by_comparison.province_name,
    overtakes_by_comparison.peer_province_code,
    overtakes_by_comparison.value,
    overtakes_by_comparison.peer_value,
    overtakes_by_comparison.previous_value,
    overtakes_by_comparison.peer_previous_value,
    overtakes_by_comparison.rank_in_comparison,
    overtakes_by_comparison.peer_rank_in_comparison,
    overtakes_by_comparison.previous_rank_in_comparison,
    overtakes_by_comparison.peer_previous_rank_in_comparison,
    first_years_ahead.first_year_ahead = overtakes_by_comparison.data_year as first_time,
    overtakes_by_comparison.boundary_break
from overtakes_by_comparison
inner join first_years_ahead
    on overtakes_by_comparison.measure = first_years_ahead.measure
    and overtakes_by_comparison.city_code = first_years_ahead.city_code
    and overtakes_by_comparison.peer_city_code = first_years_ahead.peer_city_code
where not overtakes_by_comparison.boundary_break
    or {{ var('rank_boundary_breaks') }}
