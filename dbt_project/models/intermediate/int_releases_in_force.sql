-- One row per release in force: loaded, and neither withdrawn nor quarantined after the
-- audit. With var('as_of') (a date, 'YYYY-MM-DD'), the releases in force on that date, so
-- that every mart is built as the warehouse stood then (`citytiers rebuild --as-of`):
--   * published on or before as_of (what was not yet published was not known);
--   * by the state changes made by then: a withdrawal or a restore counts from the day it
--     was made (changed_at), so a release withdrawn later is still in force on earlier
--     dates; an audit quarantine counts on every date, because the release never passed
--     the audit that would have published it.
-- Without as_of the same rule on the open-ended present gives stg_raw__releases'
-- is_in_force (the view raw.release_states), which a test compares.

{%- set as_of = var('as_of') %}

with stg_raw__releases as (

    select * from {{ ref('stg_raw__releases') }}

),

stg_raw__release_state_changes as (

    select * from {{ ref('stg_raw__release_state_changes') }}

),

changes_made_by_then as (

    select
        release_id,
        action,
        row_number() over (partition by release_id order by change_seq desc nulls last) as recency
    from stg_raw__release_state_changes
    {%- if as_of %}
    where action = 'quarantine_after_audit'
        or cast(changed_at as date) <= cast('{{ as_of }}' as date)
    {%- endif %}

),

latest_changes as (

    select * from changes_made_by_then
    where recency = 1

),

releases_in_force as (

    select stg_raw__releases.*
    from stg_raw__releases
    left join latest_changes
        on stg_raw__releases.release_id = latest_changes.release_id
    where stg_raw__releases.is_loaded
        -- accept: a steward accepted the release's problems; it is in force once loaded
        and coalesce(latest_changes.action, 'restore') in ('restore', 'accept')
        {%- if as_of %}
        and stg_raw__releases.published_on <= cast('{{ as_of }}' as date)
        {%- endif %}

)

select * from releases_in_force
