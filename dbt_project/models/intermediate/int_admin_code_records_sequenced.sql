-- One row per administrative code record, i.e. per (city_code, valid_from_year): one code
-- with one name and level over one validity interval
-- (int_admin_code_records_of_latest_release), with its province, an English level and
-- city level, and the data years it describes.
--
-- Validity (year-end lists): valid_from_year inclusive, valid_to_year exclusive (null =
-- in use). 420600 襄樊市 [1981, 2010) and 420600 襄阳市 [2010, null) are two records.
--
-- Data years: a statistical data year is a whole calendar year, while a record is valid
-- at year ends. data_year_from / data_year_to (inclusive / exclusive, null = open) give
-- the data years whose figures printed under this code belong to this record:
--   * the code's first record also takes every earlier data year (a publisher printing a
--     series under the code it has today): data_year_from is null;
--   * a record followed at once by another record of the same code (a renaming) ends
--     where that one starts: data year 2010 of 420600 is 襄阳市 (the year-end name);
--   * a record that ends without one (the code is abolished, or comes back years later)
--     also keeps the year it was abolished in: 371200 莱芜市, valid to 2018 (abolished
--     26 December 2018), still describes data year 2018.
-- So the data-year ranges of one code never overlap, and they cover the validity.
--
-- City level from the level and the name's suffix (vocabulary of GB/T 2260 names):
-- province-level 市 = municipality; prefecture-level 市 = prefecture_city, 地区 / 自治州 /
-- 盟 = prefecture; county-level 市 = county_level_city, 区 = district (but 林区 / 特区 =
-- county), 县 / 旗 = county; anything else (台湾省, 海南行政区, 西沙群岛) null.

with code_records as (

    select * from {{ ref('int_admin_code_records_of_latest_release') }}

),

records_ordered as (

    select
        code_records.*,
        lag(valid_from_year) over (
            partition by code order by valid_from_year nulls last
        ) as previous_valid_from_year,
        lead(valid_from_year) over (
            partition by code order by valid_from_year nulls last
        ) as next_valid_from_year
    from code_records

),

records_classified as (

    select
        code as city_code,
        valid_from_year,
        valid_to_year,
        valid_to_year is null as is_current,
        case
            when previous_valid_from_year is not null then valid_from_year
        end as data_year_from,
        case
            when valid_to_year is null then null
            when next_valid_from_year = valid_to_year then valid_to_year
            when next_valid_from_year is not null
                and next_valid_from_year < valid_to_year + 1 then next_valid_from_year
            else valid_to_year + 1
        end as data_year_to,
        name as city_name,
        {{ dbt.concat(["substr(code, 1, 2)", "'0000'"]) }} as province_code,
        province_name,
        prefecture_name,
        level,
        level_zh,
        case
            when level = 'province' and {{ dbt.right('name', '1') }} = '市' then 'municipality'
            when level = 'prefecture' and {{ dbt.right('name', '2') }} = '地区' then 'prefecture'
            when level = 'prefecture' and {{ dbt.right('name', '3') }} = '自治州' then 'prefecture'
            when level = 'prefecture' and {{ dbt.right('name', '1') }} = '盟' then 'prefecture'
            when level = 'prefecture' and {{ dbt.right('name', '1') }} = '市' then 'prefecture_city'
            when level = 'county_level' and {{ dbt.right('name', '2') }} in ('林区', '特区') then 'county'
            when level = 'county_level' and {{ dbt.right('name', '1') }} = '区' then 'district'
            when level = 'county_level' and {{ dbt.right('name', '1') }} = '市' then 'county_level_city'
            when level = 'county_level' and {{ dbt.right('name', '1') }} in ('县', '旗') then 'county'
        end as city_level,
        status,
        status_zh,
        successor_codes_printed,
        release_id,
        source_row
    from records_ordered

)

select * from records_classified
