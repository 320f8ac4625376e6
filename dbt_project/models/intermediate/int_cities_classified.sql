-- One row per city code and validity interval, i.e. per (city_code, valid_from_year): the
-- slowly changing dimension of administrative units that dim_city publishes and the tier
-- and ranking marts classify cities with.
--
-- The rows and their own attributes come from int_city_rows (with code records loaded: one
-- row per code record, every level; a renamed unit is two rows of one code, 420600 襄樊市
-- [1981, 2010), 襄阳市 [2010, null); without them: one open row per code of
-- seeds/city_reference.csv; either way, an open row per observed code in no such row).
-- Each row carries:
--   * successor_codes: the codes that took over its territory when it ended
--     (int_city_successor_lists);
--   * predecessor_codes: the codes whose successor links name this code with a change year
--     inside this row's validity (int_city_predecessor_lists);
--   * the event that started or ended it (int_city_event_matches; null when none matched).

with int_city_rows as (

    select * from {{ ref('int_city_rows') }}

),

int_city_successor_lists as (

    select * from {{ ref('int_city_successor_lists') }}

),

int_city_predecessor_lists as (

    select * from {{ ref('int_city_predecessor_lists') }}

),

int_city_event_matches as (

    select * from {{ ref('int_city_event_matches') }}

),

cities_classified as (

    select
        int_city_rows.city_code,
        int_city_rows.valid_from_year,
        int_city_rows.valid_to_year,
        int_city_rows.is_current,
        int_city_rows.data_year_from,
        int_city_rows.data_year_to,
        int_city_rows.city_name,
        int_city_rows.province_code,
        int_city_rows.province_name,
        int_city_rows.level,
        int_city_rows.city_level,
        int_city_rows.city_level_source,
        int_city_rows.is_prefecture_level,
        int_city_rows.is_provincial_capital,
        int_city_rows.is_municipality,
        int_city_rows.is_in_reference,
        int_city_rows.has_observations,
        int_city_successor_lists.successor_codes,
        int_city_predecessor_lists.predecessor_codes,
        int_city_rows.successor_codes_printed,
        int_city_event_matches.started_by_event_id,
        int_city_event_matches.started_by_document_number,
        int_city_event_matches.ended_by_event_id,
        int_city_event_matches.ended_by_document_number
    from int_city_rows
    left join int_city_successor_lists
        on int_city_rows.city_code = int_city_successor_lists.city_code
        and int_city_rows.valid_from_year = int_city_successor_lists.valid_from_year
    left join int_city_predecessor_lists
        on int_city_rows.city_code = int_city_predecessor_lists.city_code
        and coalesce(int_city_rows.valid_from_year, -1) = coalesce(int_city_predecessor_lists.valid_from_year, -1)
    left join int_city_event_matches
        on int_city_rows.city_code = int_city_event_matches.city_code
        and int_city_rows.valid_from_year = int_city_event_matches.valid_from_year

)

select * from cities_classified
