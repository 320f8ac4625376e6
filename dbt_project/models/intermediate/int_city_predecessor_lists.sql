-- One row per city row with a predecessor, i.e. per (city_code, valid_from_year) of
-- int_city_rows: predecessor_codes, the codes whose successor links
-- (int_city_successor_links) name this code with a change year inside this row's validity
-- (370100 济南市 [1981, null) <- 371200), ';'-separated in code order. A row is never its
-- own predecessor. valid_from_year is null for a row from the seed or from observations.

with int_city_rows as (

    select * from {{ ref('int_city_rows') }}

),

int_city_successor_links as (

    select * from {{ ref('int_city_successor_links') }}

),

predecessor_links as (

    select distinct
        int_city_rows.city_code,
        int_city_rows.valid_from_year,
        int_city_successor_links.city_code as predecessor_code
    from int_city_rows
    inner join int_city_successor_links
        on int_city_successor_links.successor_code = int_city_rows.city_code
        and (int_city_rows.valid_from_year is null
            or int_city_successor_links.change_year >= int_city_rows.valid_from_year)
        and (int_city_rows.valid_to_year is null
            or int_city_successor_links.change_year < int_city_rows.valid_to_year)
    where not (
        int_city_successor_links.city_code = int_city_rows.city_code
        and int_city_successor_links.valid_from_year = int_city_rows.valid_from_year
    )

),

predecessor_lists as (

    select
        city_code,
        valid_from_year,
        {{ ordered_listagg('predecessor_code', "';'", 'predecessor_code') }} as predecessor_codes
    from predecessor_links
    group by
        city_code,
        valid_from_year

)

select * from predecessor_lists
