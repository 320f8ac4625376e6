{#- The one order of releases, latest first: published last, then the later edition, then
    processed last, then release_id (a deterministic tie-break); a release without a
    publication date or edition ranks last. Every "which vintage / which release is the
    latest" window uses it. Python's copy, citytiers.release_states.LATEST_RELEASE_FIRST,
    is tested to be the same text (tests/unit/test_release_order.py).
    `prefix`: the relation the columns come from, e.g. 'stg_raw__releases.' -#}
{% macro latest_release_first(prefix='') -%}
{{ prefix }}published_on desc nulls last, {{ prefix }}edition_year desc nulls last, {{ prefix }}processed_at desc, {{ prefix }}release_id
{%- endmacro %}
