{#-
    Generic test: none of `column_names` is null in the model. Returns every row with a
    null in one of them, with `null_columns` naming which (the audit's reason says so).

    One test per model instead of dbt's `not_null` on each column: dbt pays its per-node
    cost (about 30 ms on the reference machine) for every test, and one `not_null` per
    column was 266 of the project's 410 tests: a third of `dbt build` on the samples,
    with one scan of the model per column where one scan answers them all
    (docs/benchmarks.md). The rows keep every column (`select *`), so a stored failure
    (`--store-failures`, the audit's culprit isolation) carries the row's lineage.

    data_tests:
      - not_null_columns:
          name: not_null_fct_city_indicator
          arguments:
            column_names: [city_code, data_year, indicator_code]
-#}
{% test not_null_columns(model, column_names) %}

{{- require_column_list("not_null_columns", model, "column_names", column_names) }}

select
    *,
    concat_ws(', '
        {%- for column in column_names %},
        case when {{ column }} is null then '{{ column }}' end
        {%- endfor %}
    ) as null_columns
from {{ model }}
where
    {%- for column in column_names %}
    {{ "or " if not loop.first }}{{ column }} is null
    {%- endfor %}

{% endtest %}
