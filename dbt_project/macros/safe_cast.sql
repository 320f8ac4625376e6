{#-
    dbt unit tests read a seed that is listed as an input without rows straight from its CSV
    file, and render a blank cell as the string '' cast to the column's type; DuckDB rejects
    cast('' as double), and Spark keeps cast('' as string) as '' (so a blank city_level of
    seeds/tier_rules.csv, "any level", matched no city). `dbt seed` loads the same blank
    cell as null, so the unit tests here (which check the real seeds/tier_rules.csv,
    size_bands.csv and population_bases.csv) read it as null too, on both engines. Every
    other value is cast as the adapter casts it (a plain cast on both: Spark's own macro
    differs only for struct, array and map types, which no model here casts to).
    Found by adapter.dispatch('safe_cast', 'dbt') before the adapters' implementations.
-#}
{% macro blank_as_null_cast(field, type) -%}
    {%- if field is string and field | trim == "''" -%}
        cast(null as {{ type }})
    {%- else -%}
        {{ dbt.default__safe_cast(field, type) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__safe_cast(field, type) -%}
    {{ citytiers.blank_as_null_cast(field, type) }}
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    {{ citytiers.blank_as_null_cast(field, type) }}
{%- endmacro %}
