-- One row per successor item of a code record, i.e. per (city_code, valid_from_year,
-- item_position): 新代码 '420602[1984];420603' of a record is two items. An item names a
-- code that took over (part of) the record's territory in change_year: the [year] printed
-- with it, else the record's valid_to_year. Lists are split by position up to
-- var('successor_codes_max_items'); the test assert_successor_lists_fit_max_items fails
-- when a list is longer. Its own model: the text parsing, apart from the lifting of each
-- move to prefecture-level units (int_admin_code_successors_split).

with int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

),

item_positions as (

    {% for position in range(1, var('successor_codes_max_items') + 1) -%}
    select {{ position }} as item_position
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

),

successor_items as (

    select
        int_admin_code_records_sequenced.city_code,
        int_admin_code_records_sequenced.valid_from_year,
        int_admin_code_records_sequenced.valid_to_year,
        int_admin_code_records_sequenced.level,
        coalesce(int_admin_code_records_sequenced.city_level = 'municipality', false) as is_municipality,
        item_positions.item_position,
        {{ split_part_at('int_admin_code_records_sequenced.successor_codes_printed', "';'", 'item_positions.item_position') }}
            as item
    from int_admin_code_records_sequenced
    cross join item_positions
    where int_admin_code_records_sequenced.successor_codes_printed is not null

),

successor_items_parsed as (

    select
        city_code,
        valid_from_year,
        valid_to_year,
        level,
        is_municipality,
        item_position,
        substr(item, 1, 6) as successor_code,
        case
            when length(item) > 6 then cast(substr(item, 8, 4) as {{ dbt.type_int() }})
        end as item_year
    from successor_items
    where item is not null
        and item <> ''

),

successor_items_dated as (

    select
        successor_items_parsed.*,
        coalesce(item_year, valid_to_year) as change_year
    from successor_items_parsed

)

select * from successor_items_dated
