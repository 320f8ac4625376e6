-- One row per vintage: (city_code, data_year, indicator_code, scope, basis, release_id), for every
-- loaded release. vintage_rank 1 = latest; previous_* and revision_* compare each vintage
-- with the next older one of the same key (vintage_rank + 1). valid_from / valid_to: the
-- publication-time interval the vintage was in force, [its release's published_on, the next
-- newer vintage's published_on); valid_to is null while it is in force. A vintage displaced
-- on the day it appeared (a same-day release that ranks first) has valid_from = valid_to.
-- The neighbouring vintages are int_observations_ranked's (previous_*, next_published_on).

with int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

vintages as (

    select
        city_code,
        data_year,
        indicator_code,
        scope,
        basis,
        release_id,
        vintage_rank,
        vintage_rank = 1 as is_latest,
        vintage_count,
        value,
        base_unit,
        previous_release_id,
        previous_published_on,
        previous_value,
        value - previous_value as revision_value,
        100.0 * (value - previous_value) / abs(nullif(previous_value, 0)) as revision_pct,
        publisher,
        published_on,
        published_on as valid_from,
        next_published_on as valid_to,
        edition_year,
        release_kind,
        processed_at,
        is_synthetic,
        file_name,
        source_sheet,
        source_row,
        source_column,
        raw_header,
        value_raw,
        unit_raw,
        city_name_raw,
        observation_seq
    from int_observations_ranked

)

select * from vintages
