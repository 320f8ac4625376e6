-- int_admin_code_successor_items splits 新代码 lists by position up to
-- var('successor_codes_max_items'); a longer list would lose its tail silently. Returns the
-- code records whose list is longer (raise the var).

with int_admin_code_records_of_latest_release as (

    select * from {{ ref('int_admin_code_records_of_latest_release') }}

),

successor_list_lengths as (

    select
        code,
        valid_from_year,
        successor_codes_printed,
        length(successor_codes_printed)
            - length(replace(successor_codes_printed, ';', '')) + 1 as item_count
    from int_admin_code_records_of_latest_release
    where successor_codes_printed is not null

)

select * from successor_list_lengths
where item_count > {{ var('successor_codes_max_items') }}
