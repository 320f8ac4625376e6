{#- on-run-start: make the raw layer readable as source('raw', ...). On DuckDB the loader
    writes raw.* into the build database itself: nothing to do. On Spark the loader's
    Parquet writer (citytiers.spark_raw) writes one folder per raw table under
    $CITYTIERS_SPARK_DIR/raw; each becomes an external table over its folder. -#}
{% macro register_raw_tables() %}
    {{ return(adapter.dispatch('register_raw_tables', 'citytiers')()) }}
{% endmacro %}

{% macro default__register_raw_tables() %}{% endmacro %}

{% macro spark__register_raw_tables() %}
    {%- if execute -%}
        {%- set root = env_var('CITYTIERS_SPARK_DIR') ~ '/raw' -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ source.name) -%}
            {%- do run_query("create table raw." ~ source.name ~ " using parquet location '"
                             ~ root ~ "/" ~ source.name ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
