-- The rows of one code in dim_city never overlap: neither their validity intervals
-- [valid_from_year, valid_to_year) nor their data-year ranges [data_year_from,
-- data_year_to) (null = open), so a fact of (city_code, data_year) joins at most one row.
-- Returns each overlapping pair of rows with what overlaps.

with dim_city as (

    select * from {{ ref('dim_city') }}

),

row_pairs as (

    select
        earlier.city_code,
        earlier.valid_from_year,
        earlier.valid_to_year,
        earlier.data_year_from,
        earlier.data_year_to,
        later.valid_from_year as later_valid_from_year,
        later.valid_to_year as later_valid_to_year,
        later.data_year_from as later_data_year_from,
        later.data_year_to as later_data_year_to
    from dim_city as earlier
    inner join dim_city as later
        on earlier.city_code = later.city_code
        and coalesce(earlier.valid_from_year, -1) < coalesce(later.valid_from_year, -1)

),

overlapping_rows as (

    select
        row_pairs.*,
        'validity' as overlapping
    from row_pairs
    where (valid_from_year is null or later_valid_to_year is null or valid_from_year < later_valid_to_year)
        and (later_valid_from_year is null or valid_to_year is null or later_valid_from_year < valid_to_year)

    union all

    select
        row_pairs.*,
        'data_years' as overlapping
    from row_pairs
    where (data_year_from is null or later_data_year_to is null or data_year_from < later_data_year_to)
        and (later_data_year_from is null or data_year_to is null or later_data_year_from < data_year_to)

)

select * from overlapping_rows
