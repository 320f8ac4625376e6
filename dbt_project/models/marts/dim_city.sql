-- One row per city code and validity interval, i.e. per (city_code, valid_from_year): a
-- slowly changing dimension of the administrative units (int_cities_classified). With the
-- code records loaded, every code record of every level (a renamed unit is two rows of one
-- code: 420600 襄樊市 until 2010, 襄阳市 from 2010); without them, one open row per code of
-- seeds/city_reference.csv. Plus every code seen in loaded observations but in no row
-- (is_in_reference = false).
--
-- Joining a fact of data year Y: on city_code and the macro valid_in_data_year('dim_city',
-- Y) (the row whose data_year_from / data_year_to range holds Y); today's name: is_current.

with int_cities_classified as (

    select * from {{ ref('int_cities_classified') }}

),

cities as (

    select
        city_code,
        valid_from_year,
        valid_to_year,
        is_current,
        data_year_from,
        data_year_to,
        city_name,
        province_code,
        province_name,
        level,
        city_level,
        city_level_source,
        is_prefecture_level,
        is_provincial_capital,
        is_municipality,
        is_in_reference,
        has_observations,
        successor_codes,
        predecessor_codes,
        successor_codes_printed,
        started_by_event_id,
        started_by_document_number,
        ended_by_event_id,
        ended_by_document_number
    from int_cities_classified

)

select * from cities
