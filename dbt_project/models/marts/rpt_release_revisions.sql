-- One row per figure a release revised: (release_id, city_code, data_year, indicator_code,
-- scope, basis) where the release published a value for a key an earlier vintage had
-- already published, and the value differs. By how much (absolute and percent), the
-- vintage it replaced, and is_material: |revision_pct| above var revision_material_pct (1 %).
-- The steward's question "what did this release change?" (rpt_release_revision_summary
-- adds it up per release and province and flags wholesale revisions).

with fct_city_indicator_vintage as (

    select * from {{ ref('fct_city_indicator_vintage') }}

),

dim_city as (

    select * from {{ ref('dim_city') }}

),

dim_release as (

    select * from {{ ref('dim_release') }}

),

revised_figures as (

    select *
    from fct_city_indicator_vintage
    where previous_release_id is not null
        and value <> previous_value

)

select
    revised_figures.release_id,
    revised_figures.file_name,
    revised_figures.published_on,
    revised_figures.release_kind,
    revised_figures.city_code,
    dim_city.city_name,
    dim_city.province_code,
    dim_city.province_name,
    revised_figures.data_year,
    revised_figures.indicator_code,
    revised_figures.scope,
    revised_figures.basis,
    revised_figures.base_unit,
    revised_figures.previous_release_id,
    previous_release.file_name as previous_file_name,
    revised_figures.previous_published_on,
    revised_figures.previous_value,
    revised_figures.value,
    revised_figures.revision_value,
    revised_figures.revision_pct,
    coalesce(abs(revised_figures.revision_pct) > {{ var('revision_material_pct') }}, true)
        as is_material
from revised_figures
left join dim_city
    on revised_figures.city_code = dim_city.city_code
    and {{ valid_in_data_year('dim_city', 'revised_figures.data_year') }}
left join dim_release as previous_release
    on revised_figures.previous_release_id = previous_release.release_id
