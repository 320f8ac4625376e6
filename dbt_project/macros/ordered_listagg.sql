{#- The values of `measure` in a group, ordered by `order_by` (one column), joined with
    `delimiter` (a quoted SQL string). dbt.listagg on Spark cannot order (it warns and
    drops the order), and these lists are compared and shown as text, so Spark collects
    (order_by, measure) pairs, sorts them and joins the measures. Nulls are skipped on both
    engines. -#}
{% macro ordered_listagg(measure, delimiter, order_by) %}
    {{ return(adapter.dispatch('ordered_listagg', 'citytiers')(measure, delimiter, order_by)) }}
{% endmacro %}

{% macro default__ordered_listagg(measure, delimiter, order_by) -%}
    {{ dbt.listagg(measure, delimiter, 'order by ' ~ order_by) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter, order_by) -%}
    array_join(transform(array_sort(collect_list(named_struct('sort_key', {{ order_by }}, 'item', {{ measure }}))), pair -> pair.item), {{ delimiter }})
{%- endmacro %}
