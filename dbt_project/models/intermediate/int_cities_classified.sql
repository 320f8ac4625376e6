-- One row per city code and validity interval, i.e. per (city_code, valid_from_year): the
-- slowly changing dimension of administrative units that dim_city publishes and the tier
-- and ranking marts classify cities with.
--
-- With code records loaded (int_admin_code_records_sequenced): one row per code record,
-- every level (province, prefecture, county level). A renamed unit is two rows of one code
-- (420600 襄樊市 [1981, 2010), 襄阳市 [2010, null)). Each row carries:
--   * successor_codes: the codes that took over its territory when it ended: its printed
--     end successors (新代码), the same code when a next record of it starts then (a
--     renaming), the resolved new unit of the event that ended it (371200 莱芜市 has no
--     新代码; the 2018 event gives 370100 济南市), and for a prefecture-level row the
--     prefecture-level units its counties went to (int_admin_code_successors_split);
--   * predecessor_codes: the codes whose successor_codes name this code with a change year
--     inside this row's validity (370100 济南市 [1981, null) <- 371200);
--   * the event that started or ended it (int_admin_change_events_resolved, matched by
--     name, province and year; null when none matched).
-- Flags the tier rules need come from seeds/city_reference.csv by code
-- (is_provincial_capital; is_in_reference), the rest from the records.
--
-- Without code records (the bundled synthetic samples): one open row per code of
-- seeds/city_reference.csv (valid_from_year and data_year_from null, is_current).
--
-- Either way, every code seen in loaded observations but in no row above gets one open row
-- (is_in_reference = false): the latest printed name, the province from the code's first
-- two digits, and a prefecture-level city when the name ends in 市 and the code in 00
-- (city_level_source 'name_suffix').

with city_reference as (

    select * from {{ ref('city_reference') }}

),

int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

int_admin_code_records_sequenced as (

    select * from {{ ref('int_admin_code_records_sequenced') }}

),

int_admin_code_successors_split as (

    select * from {{ ref('int_admin_code_successors_split') }}

),

int_admin_change_events_resolved as (

    select * from {{ ref('int_admin_change_events_resolved') }}

),

observed_city_names as (

    select
        city_code,
        city_name_raw,
        row_number() over (
            partition by city_code
            order by
                {{ latest_release_first() }},
                observation_seq
        ) as name_rank
    from int_observations_ranked

),

observed_cities as (

    select
        city_code,
        city_name_raw as latest_city_name_raw
    from observed_city_names
    where name_rank = 1

),

observed_city_years as (

    select distinct
        city_code,
        data_year
    from int_observations_ranked

),

record_rows as (

    select
        records.city_code,
        records.valid_from_year,
        records.valid_to_year,
        records.is_current,
        records.data_year_from,
        records.data_year_to,
        records.city_name,
        records.province_code,
        records.province_name,
        records.level,
        records.city_level,
        'admin_codes' as city_level_source,
        coalesce(city_reference.is_provincial_capital, false) as is_provincial_capital,
        coalesce(records.city_level = 'municipality', false) as is_municipality,
        city_reference.city_code is not null as is_in_reference,
        records.successor_codes_printed
    from int_admin_code_records_sequenced as records
    left join city_reference
        on records.city_code = city_reference.city_code

),

reference_rows as (

    select
        city_code,
        cast(null as {{ dbt.type_int() }}) as valid_from_year,
        cast(null as {{ dbt.type_int() }}) as valid_to_year,
        true as is_current,
        cast(null as {{ dbt.type_int() }}) as data_year_from,
        cast(null as {{ dbt.type_int() }}) as data_year_to,
        city_name,
        province_code,
        province_name,
        case when city_level = 'municipality' then 'province' else 'prefecture' end as level,
        city_level,
        'reference' as city_level_source,
        is_provincial_capital,
        is_municipality,
        true as is_in_reference,
        cast(null as {{ dbt.type_string() }}) as successor_codes_printed
    from city_reference
    where not exists (select 1 from int_admin_code_records_sequenced)

),

known_rows as (

    select * from record_rows
    union all
    select * from reference_rows

),

provinces as (

    select
        province_code,
        min(province_name) as province_name
    from known_rows
    where province_name is not null
    group by province_code

),

unreferenced_observed_cities as (

    select
        observed_cities.city_code,
        observed_cities.latest_city_name_raw as city_name,
        {{ dbt.concat(["substr(observed_cities.city_code, 1, 2)", "'0000'"]) }} as province_code,
        {{ dbt.right('observed_cities.latest_city_name_raw', '1') }} = '市'
            and {{ dbt.right('observed_cities.city_code', '2') }} = '00' as is_named_prefecture_city
    from observed_cities
    where not exists (
        select 1
        from known_rows
        where known_rows.city_code = observed_cities.city_code
    )

),

unreferenced_rows as (

    select
        unreferenced_observed_cities.city_code,
        cast(null as {{ dbt.type_int() }}) as valid_from_year,
        cast(null as {{ dbt.type_int() }}) as valid_to_year,
        true as is_current,
        cast(null as {{ dbt.type_int() }}) as data_year_from,
        cast(null as {{ dbt.type_int() }}) as data_year_to,
        unreferenced_observed_cities.city_name,
        unreferenced_observed_cities.province_code,
        provinces.province_name,
        case
            when {{ dbt.right('unreferenced_observed_cities.city_code', '4') }} = '0000' then 'province'
            when {{ dbt.right('unreferenced_observed_cities.city_code', '2') }} = '00' then 'prefecture'
            else 'county_level'
        end as level,
        case
            when unreferenced_observed_cities.is_named_prefecture_city then 'prefecture_city'
        end as city_level,
        case
            when unreferenced_observed_cities.is_named_prefecture_city then 'name_suffix'
        end as city_level_source,
        false as is_provincial_capital,
        false as is_municipality,
        false as is_in_reference,
        cast(null as {{ dbt.type_string() }}) as successor_codes_printed
    from unreferenced_observed_cities
    left join provinces
        on unreferenced_observed_cities.province_code = provinces.province_code

),

city_rows as (

    select * from known_rows
    union all
    select * from unreferenced_rows

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
        and old_valid_to_year between event_year and event_year + 1

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

),

successor_lists as (

    select
        city_code,
        valid_from_year,
        {{ dbt.listagg('successor_code', "';'", 'order by successor_code') }} as successor_codes
    from (select distinct city_code, valid_from_year, successor_code from successor_links) as links
    group by
        city_code,
        valid_from_year

),

predecessor_links as (

    select distinct
        city_rows.city_code,
        city_rows.valid_from_year,
        successor_links.city_code as predecessor_code
    from city_rows
    inner join successor_links
        on successor_links.successor_code = city_rows.city_code
        and (city_rows.valid_from_year is null
            or successor_links.change_year >= city_rows.valid_from_year)
        and (city_rows.valid_to_year is null
            or successor_links.change_year < city_rows.valid_to_year)
    where not (
        successor_links.city_code = city_rows.city_code
        and successor_links.valid_from_year = city_rows.valid_from_year
    )

),

predecessor_lists as (

    select
        city_code,
        valid_from_year,
        {{ dbt.listagg('predecessor_code', "';'", 'order by predecessor_code') }} as predecessor_codes
    from predecessor_links
    group by
        city_code,
        valid_from_year

),

ending_events as (

    select
        old_code as city_code,
        old_valid_from_year as valid_from_year,
        event_id,
        document_number,
        row_number() over (
            partition by old_code, old_valid_from_year
            order by event_year desc, event_id
        ) as event_rank
    from int_admin_change_events_resolved
    where old_code is not null
        and old_valid_to_year between event_year and event_year + 1

),

starting_events as (

    select
        new_code as city_code,
        new_valid_from_year as valid_from_year,
        event_id,
        document_number,
        row_number() over (
            partition by new_code, new_valid_from_year
            order by event_year desc, event_id
        ) as event_rank
    from int_admin_change_events_resolved
    where new_code is not null
        and new_valid_from_year between event_year and event_year + 1

),

cities_classified as (

    select
        city_rows.city_code,
        city_rows.valid_from_year,
        city_rows.valid_to_year,
        city_rows.is_current,
        city_rows.data_year_from,
        city_rows.data_year_to,
        city_rows.city_name,
        city_rows.province_code,
        city_rows.province_name,
        city_rows.level,
        city_rows.city_level,
        city_rows.city_level_source,
        coalesce(city_rows.city_level in ('prefecture_city', 'municipality'), false) as is_prefecture_level,
        city_rows.is_provincial_capital,
        city_rows.is_municipality,
        city_rows.is_in_reference,
        exists (
            select 1
            from observed_city_years
            where observed_city_years.city_code = city_rows.city_code
                and {{ valid_in_data_year('city_rows', 'observed_city_years.data_year') }}
        ) as has_observations,
        successor_lists.successor_codes,
        predecessor_lists.predecessor_codes,
        city_rows.successor_codes_printed,
        starting_events.event_id as started_by_event_id,
        starting_events.document_number as started_by_document_number,
        ending_events.event_id as ended_by_event_id,
        ending_events.document_number as ended_by_document_number
    from city_rows
    left join successor_lists
        on city_rows.city_code = successor_lists.city_code
        and city_rows.valid_from_year = successor_lists.valid_from_year
    left join predecessor_lists
        on city_rows.city_code = predecessor_lists.city_code
        and coalesce(city_rows.valid_from_year, -1) = coalesce(predecessor_lists.valid_from_year, -1)
    left join starting_events
        on city_rows.city_code = starting_events.city_code
        and city_rows.valid_from_year = starting_events.valid_from_year
        and starting_events.event_rank = 1
    left join ending_events
        on city_rows.city_code = ending_events.city_code
        and city_rows.valid_from_year = ending_events.valid_from_year
        and ending_events.event_rank = 1

)

select * from cities_classified
