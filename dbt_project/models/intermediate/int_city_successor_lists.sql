-- One row per code record with a successor, i.e. per (city_code, valid_from_year):
-- successor_codes, the distinct codes of int_city_successor_links that took over its
-- territory, ';'-separated in code order (420600 襄樊市 [1981, 2010) -> '420600').

with int_city_successor_links as (

    select * from {{ ref('int_city_successor_links') }}

),

successor_codes as (

    select distinct
        city_code,
        valid_from_year,
        successor_code
    from int_city_successor_links

),

successor_lists as (

    select
        city_code,
        valid_from_year,
        {{ ordered_listagg('successor_code', "';'", 'successor_code') }} as successor_codes
    from successor_codes
    group by
        city_code,
        valid_from_year

)

select * from successor_lists
