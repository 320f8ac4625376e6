-- One row per (city_code, data_year) where the city is in the trillion club (万亿GDP城市:
-- whole-city GDP >= var('trillion_yuan')) or left it that year, among prefecture-level
-- cities and municipalities. joined_this_year / left_this_year compare with data year - 1;
-- joined_this_year is null (not true) when the previous year's GDP is unknown.

with int_prefecture_city_year_figures as (

    select * from {{ ref('int_prefecture_city_year_figures') }}

),

int_boundary_changes_derived as (

    select * from {{ ref('int_boundary_changes_derived') }}

),

break_years as (

    {{ boundary_break_years('int_boundary_changes_derived') }}

),

city_gdp as (

    select
        city_code,
        city_name,
        province_code,
        province_name,
        data_year,
        gdp_yuan
    from int_prefecture_city_year_figures
    where gdp_yuan is not null

),

city_gdp_with_previous as (

    select
        city_gdp.*,
        previous_year.gdp_yuan as previous_gdp_yuan,
        city_gdp.gdp_yuan >= {{ var('trillion_yuan') }} as is_member,
        previous_year.gdp_yuan >= {{ var('trillion_yuan') }} as was_member
    from city_gdp
    left join city_gdp as previous_year
        on city_gdp.city_code = previous_year.city_code
        and city_gdp.data_year - 1 = previous_year.data_year

),

club_rows as (

    select * from city_gdp_with_previous
    where is_member
        or was_member

),

club_years as (

    select
        club_rows.city_code,
        club_rows.city_name,
        club_rows.province_code,
        club_rows.province_name,
        club_rows.data_year,
        club_rows.gdp_yuan,
        club_rows.previous_gdp_yuan,
        club_rows.is_member,
        case when club_rows.is_member then not club_rows.was_member else false end
            as joined_this_year,
        not club_rows.is_member as left_this_year,
        count(case when club_rows.is_member then 1 end) over (
            partition by club_rows.data_year
        ) as member_count,
        break_years.city_code is not null as boundary_break
    from club_rows
    left join break_years
        on club_rows.city_code = break_years.city_code
        and club_rows.data_year = break_years.data_year

)

select * from club_years
