-- The code records (the SCD behind dim_city) agree with every loaded year-end code list:
-- each (code, name) of the list of year Y is a record valid at the end of Y, and each
-- record valid at the end of Y is in that list. Returns the disagreements, with the side
-- that lacks the code. Passes trivially when either table is empty.

with stg_raw__admin_code_records as (

    select * from {{ ref('stg_raw__admin_code_records') }}

),

stg_raw__admin_code_snapshots as (

    select * from {{ ref('stg_raw__admin_code_snapshots') }}

),

snapshot_years as (

    select distinct snapshot_year from stg_raw__admin_code_snapshots

),

snapshot_codes_without_record as (

    select
        snapshots.snapshot_year,
        snapshots.code,
        snapshots.name,
        'no record valid that year with that name' as problem
    from stg_raw__admin_code_snapshots as snapshots
    where exists (select 1 from stg_raw__admin_code_records)
        and not exists (
            select 1
            from stg_raw__admin_code_records as records
            where records.code = snapshots.code
                and records.name = snapshots.name
                and records.valid_from_year <= snapshots.snapshot_year
                and (records.valid_to_year is null or records.valid_to_year > snapshots.snapshot_year)
        )

),

records_missing_from_snapshot as (

    select
        snapshot_years.snapshot_year,
        records.code,
        records.name,
        'valid record missing from that year-end list' as problem
    from stg_raw__admin_code_records as records
    inner join snapshot_years
        on records.valid_from_year <= snapshot_years.snapshot_year
        and (records.valid_to_year is null or records.valid_to_year > snapshot_years.snapshot_year)
    where not exists (
        select 1
        from stg_raw__admin_code_snapshots as snapshots
        where snapshots.snapshot_year = snapshot_years.snapshot_year
            and snapshots.code = records.code
    )

)

select * from snapshot_codes_without_record
union all
select * from records_missing_from_snapshot
