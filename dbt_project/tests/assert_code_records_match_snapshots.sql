-- The code records (the SCD behind dim_city) agree with every loaded year-end code list:
-- each (code, name) of the list of year Y is a record valid at the end of Y, and each
-- record valid at the end of Y is in that list. Returns the disagreements, with the side
-- that lacks the code. Passes trivially when either table is empty.

with int_admin_code_records_of_latest_release as (

    select * from {{ ref('int_admin_code_records_of_latest_release') }}

),

int_admin_code_snapshots_of_latest_releases as (

    select * from {{ ref('int_admin_code_snapshots_of_latest_releases') }}

),

snapshot_years as (

    select distinct snapshot_year from int_admin_code_snapshots_of_latest_releases

),

snapshot_codes_without_record as (

    select
        snapshots.snapshot_year,
        snapshots.code,
        snapshots.name,
        'no record valid that year with that name' as problem
    from int_admin_code_snapshots_of_latest_releases as snapshots
    where exists (select 1 from int_admin_code_records_of_latest_release)
        and not exists (
            select 1
            from int_admin_code_records_of_latest_release as records
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
    from int_admin_code_records_of_latest_release as records
    inner join snapshot_years
        on records.valid_from_year <= snapshot_years.snapshot_year
        and (records.valid_to_year is null or records.valid_to_year > snapshot_years.snapshot_year)
    where not exists (
        select 1
        from int_admin_code_snapshots_of_latest_releases as snapshots
        where snapshots.snapshot_year = snapshot_years.snapshot_year
            and snapshots.code = records.code
    )

)

select * from snapshot_codes_without_record
union all
select * from records_missing_from_snapshot
