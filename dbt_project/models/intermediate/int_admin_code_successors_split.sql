-- One row per successor item of a code record, i.e. per (city_code, valid_from_year,
-- item_position): 新代码 '420602[1984];420603' of a record is two items. An item names a
-- code that took over (part of) the record's territory in change_year: the [year] printed
-- with it, else the record's valid_to_year. Items of change_year = valid_to_year are the
-- record's end successors (is_end_successor); earlier ones are parts handed over while it
-- was in use.
--
-- from_unit_code / to_unit_code lift the item to prefecture level: the prefecture-level
-- unit that held the territory at the end of change_year - 1 and the one holding it at the
-- end of change_year. For a county-level code that is the prefecture-level record of its
-- first four digits + '00' valid then, else the municipality of its first two digits
-- (1101xx -> 110000), else the code itself (a county-level unit under the province, e.g.
-- 429001 随州市 before 2000); a prefecture-level code or a municipality is its own unit,
-- any other province-level code none (null: its printed items are not moves between
-- prefecture-level units). A county moving from 371200 莱芜市 to 370100 济南市 is
-- from_unit 371200, to_unit 370100.
-- The items themselves (split from the printed list and dated): int_admin_code_successor_items.

with int_admin_code_successor_items as (

    select * from {{ ref('int_admin_code_successor_items') }}

),

int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

),

prefecture_records as (

    select city_code, valid_from_year, valid_to_year
    from int_admin_code_records_sequenced
    where level = 'prefecture'

),

municipality_records as (

    select city_code, valid_from_year, valid_to_year
    from int_admin_code_records_sequenced
    where city_level = 'municipality'

),

successor_items_lifted as (

    select
        successor_items.city_code,
        successor_items.valid_from_year,
        successor_items.valid_to_year,
        successor_items.level,
        successor_items.item_position,
        successor_items.successor_code,
        successor_items.item_year,
        successor_items.change_year,
        coalesce(
            successor_items.valid_to_year is not null
                and successor_items.change_year = successor_items.valid_to_year,
            false
        ) as is_end_successor,
        case
            when successor_items.level = 'county_level' then coalesce(
                from_prefecture.city_code, from_municipality.city_code, successor_items.city_code
            )
            when successor_items.level = 'prefecture' or successor_items.is_municipality
                then successor_items.city_code
        end as from_unit_code,
        case
            when {{ dbt.right('successor_items.successor_code', '4') }} = '0000'
                and to_municipality.city_code is null then null
            when {{ dbt.right('successor_items.successor_code', '2') }} = '00'
                then successor_items.successor_code
            else coalesce(
                to_prefecture.city_code, to_municipality.city_code, successor_items.successor_code
            )
        end as to_unit_code
    from int_admin_code_successor_items as successor_items
    left join prefecture_records as from_prefecture
        on from_prefecture.city_code
            = {{ dbt.concat(["substr(successor_items.city_code, 1, 4)", "'00'"]) }}
        and from_prefecture.valid_from_year <= successor_items.change_year - 1
        and (from_prefecture.valid_to_year is null
            or from_prefecture.valid_to_year > successor_items.change_year - 1)
    left join municipality_records as from_municipality
        on from_municipality.city_code
            = {{ dbt.concat(["substr(successor_items.city_code, 1, 2)", "'0000'"]) }}
        and from_municipality.valid_from_year <= successor_items.change_year - 1
        and (from_municipality.valid_to_year is null
            or from_municipality.valid_to_year > successor_items.change_year - 1)
    left join prefecture_records as to_prefecture
        on to_prefecture.city_code
            = {{ dbt.concat(["substr(successor_items.successor_code, 1, 4)", "'00'"]) }}
        and to_prefecture.valid_from_year <= successor_items.change_year
        and (to_prefecture.valid_to_year is null
            or to_prefecture.valid_to_year > successor_items.change_year)
    left join municipality_records as to_municipality
        on to_municipality.city_code
            = {{ dbt.concat(["substr(successor_items.successor_code, 1, 2)", "'0000'"]) }}
        and to_municipality.valid_from_year <= successor_items.change_year
        and (to_municipality.valid_to_year is null
            or to_municipality.valid_to_year > successor_items.change_year)

)

select * from successor_items_lifted
