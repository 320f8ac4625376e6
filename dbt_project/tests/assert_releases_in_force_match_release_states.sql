-- Without var as_of, int_releases_in_force's date-aware rule gives exactly the releases the
-- view raw.release_states calls in force (stg_raw__releases.is_in_force): the two spell one
-- rule, the view for Python and today, the model for any date. A release in one and not
-- the other fails. (On an as-of build the two differ on purpose: nothing is checked.)

with int_releases_in_force as (

    select * from {{ ref('int_releases_in_force') }}

),

stg_raw__releases as (

    select * from {{ ref('stg_raw__releases') }}

),

in_force_now as (

    select release_id from stg_raw__releases
    where is_in_force

),

disagreements as (

    select coalesce(model.release_id, view_rule.release_id) as release_id,
           model.release_id is not null as in_model,
           view_rule.release_id is not null as in_view
    from int_releases_in_force as model
    full outer join in_force_now as view_rule
        on model.release_id = view_rule.release_id
    where model.release_id is null or view_rule.release_id is null

)

select * from disagreements
{%- if var('as_of') %}
where false
{%- endif %}
