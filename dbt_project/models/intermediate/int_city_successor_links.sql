-- One row per code record, successor code and change year, i.e. per (city_code,
-- valid_from_year, successor_code, change_year): a code that took over (part of) the
-- territory of the record (city_code, valid_from_year) in change_year. When a record ends,
-- its successors are:
--   * its printed end successors (新代码, int_admin_code_successors_split);
--   * the same code when a next record of it starts then (a renaming: 420600 襄樊市 ->
--     420600 襄阳市 in 2010);
--   * the resolved new unit of the event that ended it (int_admin_change_events_resolved:
--     371200 莱芜市 has no 新代码; the 2018 event gives 370100 济南市);
--   * for a prefecture-level record, the prefecture-level units its counties went to
--     (int_admin_code_successors_split).
-- int_city_successor_lists lists them per record, int_city_predecessor_lists reads them
-- backwards.

with int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

),

int_admin_code_successors_split as (

    select * from {{ ref('int_admin_code_successors_split') }}

),

int_admin_change_events_resolved as (

    select * from {{ ref('int_admin_change_events_resolved') }}

),

successor_links as (

    -- printed end successors (新代码)
    select
        city_code,
        valid_from_year,
        successor_code,
        change_year
    from int_admin_code_successors_split
    where is_end_successor

    union

    -- the same code lives on under another name or level
    select
        ended.city_code,
        ended.valid_from_year,
        ended.city_code as successor_code,
        ended.valid_to_year as change_year
    from int_admin_code_records_sequenced as ended
    inner join int_admin_code_records_sequenced as continued
        on ended.city_code = continued.city_code
        and ended.valid_to_year = continued.valid_from_year

    union

    -- the new unit of the event that ended it
    select
        old_code as city_code,
        old_valid_from_year as valid_from_year,
        new_code as successor_code,
        old_valid_to_year as change_year
    from int_admin_change_events_resolved
    where old_code is not null
        and new_code is not null
        and {{ in_event_window('old_valid_to_year', 'event_year') }}

    union

    -- a prefecture-level unit: where its counties went when it ended
    select
        records.city_code,
        records.valid_from_year,
        successors.to_unit_code as successor_code,
        records.valid_to_year as change_year
    from int_admin_code_records_sequenced as records
    inner join int_admin_code_successors_split as successors
        on successors.from_unit_code = records.city_code
        and successors.change_year = records.valid_to_year
    where records.level = 'prefecture'
        and successors.to_unit_code <> records.city_code

)

select * from successor_links
