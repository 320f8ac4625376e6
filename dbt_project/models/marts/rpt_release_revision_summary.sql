-- One row per (release_id, indicator_code, province_code) and one per (release_id,
-- indicator_code) with province_code null (summary_level 'release'): how many cities the
-- release published figures for, how many it revised, how many by more than var
-- revision_material_pct (1 %), the largest revision, and is_wholesale: more than var
-- revision_wholesale_share (half) of the cities materially revised, the mark of an
-- economic census or a rebasing rather than routine corrections.

with fct_city_indicator_vintage as (

    select * from {{ ref('fct_city_indicator_vintage') }}

),

rpt_release_revisions as (

    select * from {{ ref('rpt_release_revisions') }}

),

dim_city as (

    select * from {{ ref('dim_city') }}

),

published_figures as (

    select
        fct_city_indicator_vintage.release_id,
        fct_city_indicator_vintage.file_name,
        fct_city_indicator_vintage.published_on,
        fct_city_indicator_vintage.indicator_code,
        fct_city_indicator_vintage.city_code,
        dim_city.province_code,
        dim_city.province_name,
        revisions.revision_pct,
        revisions.release_id is not null as is_revised,
        coalesce(revisions.is_material, false) as is_material
    from fct_city_indicator_vintage
    left join dim_city
        on fct_city_indicator_vintage.city_code = dim_city.city_code
        and {{ valid_in_data_year('dim_city', 'fct_city_indicator_vintage.data_year') }}
    left join rpt_release_revisions as revisions
        on fct_city_indicator_vintage.release_id = revisions.release_id
        and fct_city_indicator_vintage.city_code = revisions.city_code
        and fct_city_indicator_vintage.data_year = revisions.data_year
        and fct_city_indicator_vintage.indicator_code = revisions.indicator_code
        and fct_city_indicator_vintage.scope = revisions.scope
        and fct_city_indicator_vintage.basis = revisions.basis
    -- Whole-city figures: a city counts once per indicator.
    where fct_city_indicator_vintage.scope = 'whole_city'
        and fct_city_indicator_vintage.previous_release_id is not null

),

summarised as (

    select
        case when grouping(province_code) = 1 then 'release' else 'province' end
            as summary_level,
        release_id,
        max(file_name) as file_name,
        max(published_on) as published_on,
        indicator_code,
        province_code,
        max(province_name) as province_name,
        count(distinct city_code) as cities_republished,
        count(distinct case when is_revised then city_code end) as cities_revised,
        count(distinct case when is_material then city_code end) as cities_revised_materially,
        max(abs(revision_pct)) as max_abs_revision_pct,
        -- A decimal sum is exact: a double's depends on the order rows come in, and the
        -- marts must not depend on the order releases were loaded in.
        cast(avg(cast(revision_pct as decimal(18, 6))) as {{ type_double() }})
            as mean_revision_pct
    from published_figures
    group by grouping sets (
        (release_id, indicator_code, province_code),
        (release_id, indicator_code)
    )

)

select
    summary_level,
    release_id,
    file_name,
    published_on,
    indicator_code,
    province_code,
    case when summary_level = 'province' then province_name end as province_name,
    cities_republished,
    cities_revised,
    cities_revised_materially,
    max_abs_revision_pct,
    mean_revision_pct,
    cities_revised_materially > {{ var('revision_wholesale_share') }} * cities_republished
        as is_wholesale
from summarised
