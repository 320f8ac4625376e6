{#- The one order of releases, latest first: published last, then the later edition, then
    the release kind listed first in var same_day_precedence (yearbook over communique over
    preliminary: a same-day tie is decided by what the release is, never by when it was
    loaded, so loading releases in any order gives the same marts), then release_id (the
    sha256 of the file: a deterministic last resort). A release without a publication
    date, edition or listed kind ranks last on that term. Every "which vintage / which
    release is the latest" window uses it. Python's copy,
    citytiers.release_order.latest_release_first, is tested to be the same text
    (tests/unit/test_release_order.py).
    `prefix`: the relation the columns come from, e.g. 'stg_raw__releases.' -#}
{% macro latest_release_first(prefix='') -%}
{{ prefix }}published_on desc nulls last, {{ prefix }}edition_year desc nulls last, case {{ prefix }}release_kind{% for kind in var('same_day_precedence') %} when '{{ kind }}' then {{ loop.index }}{% endfor %} end nulls last, {{ prefix }}release_id nulls last
{%- endmacro %}
