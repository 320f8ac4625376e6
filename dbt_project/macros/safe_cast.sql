{#-
    dbt unit tests read a seed that is listed as an input without rows straight from its CSV
    file, and render a blank cell as the string '' cast to the column's type; DuckDB rejects
    cast('' as double). `dbt seed` loads the same blank cell as null, so the unit tests here
    (which check the real seeds/tier_rules.csv, size_bands.csv and population_bases.csv)
    read it as null too. Every other value is cast exactly as dbt's default__safe_cast does.
    Found by adapter.dispatch('safe_cast', 'dbt') before dbt's own implementation; other
    adapters keep theirs.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    {%- if field is string and field | trim == "''" -%}
        cast(null as {{ type }})
    {%- else -%}
        {{ dbt.default__safe_cast(field, type) }}
    {%- endif -%}
{%- endmacro %}
