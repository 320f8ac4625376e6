{#-
    A 64-bit floating point type name for casts. dbt.type_float() renders `float`, which is
    32-bit REAL in DuckDB (8807.58e8 would come back as 880758030336), so values use this.
    ANSI SQL spells it `double precision`; DuckDB, Spark and Trino spell it `double`.
-#}
{% macro type_double() %}
    {{ return(adapter.dispatch('type_double', 'citytiers')()) }}
{% endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{% macro trino__type_double() -%}
    double
{%- endmacro %}
