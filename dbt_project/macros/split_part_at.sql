{#- Item `position` (1-based; a column, not only a literal) of `string` split on
    `delimiter` (a quoted SQL string); '' past the last item on both engines.
    dbt.split_part on Spark accepts only a literal position (it compares it in Jinja);
    Spark 3.3+ has split_part itself. -#}
{% macro split_part_at(string, delimiter, position) %}
    {{ return(adapter.dispatch('split_part_at', 'citytiers')(string, delimiter, position)) }}
{% endmacro %}

{% macro default__split_part_at(string, delimiter, position) -%}
    {{ dbt.split_part(string, delimiter, position) }}
{%- endmacro %}

{% macro spark__split_part_at(string, delimiter, position) -%}
    split_part({{ string }}, {{ delimiter }}, {{ position }})
{%- endmacro %}
