-- One row per (comparison, data_year, city_code, peer_city_code): the city was behind the
-- peer in whole-city GDP in data year - 1 and is ahead of it in the data year (逆袭).
-- comparison 'national': both cities in the national top var('overtake_top_n') of the data
-- year; 'province': both in the same province. first_time: the city was never ahead of the
-- peer in any earlier loaded year. boundary_break: either city's territory changed in the
-- data year (int_boundary_changes_derived); such pairs are left out unless
-- var('rank_boundary_breaks') is true.

with mart_growth_ranking_year as (

    select * from {{ ref('mart_growth_ranking_year') }}

),

city_years as (

    select
        city_code,
        city_name,
        province_code,
        province_name,
        data_year,
        gdp_yuan,
        gdp_rank_national,
        gdp_rank_province,
        boundary_break
    from mart_growth_ranking_year

),

first_years_ahead as (

    select
        city_years.city_code,
        peer_years.city_code as peer_city_code,
        min(city_years.data_year) as first_year_ahead
    from city_years
    inner join city_years as peer_years
        on city_years.data_year = peer_years.data_year
        and city_years.gdp_yuan > peer_years.gdp_yuan
    group by
        city_years.city_code,
        peer_years.city_code

),

flipped_pairs as (

    select
        city_now.data_year,
        city_now.city_code,
        city_now.city_name,
        city_now.province_code,
        city_now.province_name,
        peer_now.city_code as peer_city_code,
        peer_now.city_name as peer_city_name,
        peer_now.province_code as peer_province_code,
        city_now.gdp_yuan,
        peer_now.gdp_yuan as peer_gdp_yuan,
        city_before.gdp_yuan as previous_gdp_yuan,
        peer_before.gdp_yuan as peer_previous_gdp_yuan,
        city_now.gdp_rank_national,
        peer_now.gdp_rank_national as peer_gdp_rank_national,
        city_before.gdp_rank_national as previous_gdp_rank_national,
        peer_before.gdp_rank_national as peer_previous_gdp_rank_national,
        city_now.gdp_rank_province,
        peer_now.gdp_rank_province as peer_gdp_rank_province,
        city_before.gdp_rank_province as previous_gdp_rank_province,
        peer_before.gdp_rank_province as peer_previous_gdp_rank_province,
        city_now.boundary_break or peer_now.boundary_break as boundary_break
    from city_years as city_now
    inner join city_years as peer_now
        on city_now.data_year = peer_now.data_year
        and city_now.gdp_yuan > peer_now.gdp_yuan
    inner join city_years as city_before
        on city_now.city_code = city_before.city_code
        and city_now.data_year - 1 = city_before.data_year
    inner join city_years as peer_before
        on peer_now.city_code = peer_before.city_code
        and peer_now.data_year - 1 = peer_before.data_year
    where city_before.gdp_yuan < peer_before.gdp_yuan

),

overtakes_by_comparison as (

    select
        'national' as comparison,
        flipped_pairs.*,
        gdp_rank_national as rank_in_comparison,
        peer_gdp_rank_national as peer_rank_in_comparison,
        previous_gdp_rank_national as previous_rank_in_comparison,
        peer_previous_gdp_rank_national as peer_previous_rank_in_comparison
    from flipped_pairs
    where peer_gdp_rank_national <= {{ var('overtake_top_n') }}

    union all

    select
        'province' as comparison,
        flipped_pairs.*,
        gdp_rank_province as rank_in_comparison,
        peer_gdp_rank_province as peer_rank_in_comparison,
        previous_gdp_rank_province as previous_rank_in_comparison,
        peer_previous_gdp_rank_province as peer_previous_rank_in_comparison
    from flipped_pairs
    where province_code = peer_province_code

),

overtakes as (

    select
        overtakes_by_comparison.comparison,
        overtakes_by_comparison.data_year,
        overtakes_by_comparison.city_code,
        overtakes_by_comparison.city_name,
        overtakes_by_comparison.peer_city_code,
        overtakes_by_comparison.peer_city_name,
        overtakes_by_comparison.province_code,
        overtakes_by_comparison.province_name,
        overtakes_by_comparison.peer_province_code,
        overtakes_by_comparison.gdp_yuan,
        overtakes_by_comparison.peer_gdp_yuan,
        overtakes_by_comparison.previous_gdp_yuan,
        overtakes_by_comparison.peer_previous_gdp_yuan,
        overtakes_by_comparison.rank_in_comparison,
        overtakes_by_comparison.peer_rank_in_comparison,
        overtakes_by_comparison.previous_rank_in_comparison,
        overtakes_by_comparison.peer_previous_rank_in_comparison,
        first_years_ahead.first_year_ahead = overtakes_by_comparison.data_year as first_time,
        overtakes_by_comparison.boundary_break
    from overtakes_by_comparison
    inner join first_years_ahead
        on overtakes_by_comparison.city_code = first_years_ahead.city_code
        and overtakes_by_comparison.peer_city_code = first_years_ahead.peer_city_code
    where not overtakes_by_comparison.boundary_break
        or {{ var('rank_boundary_breaks') }}

)

select * from overtakes
