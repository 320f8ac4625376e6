{#-
    Generic test: the combination of `combination_of_columns` is unique in the model
    (the model's grain). Returns one row per duplicated combination, with its count.
    A local replacement for dbt_utils.unique_combination_of_columns (no dbt packages here).

    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [city_code, data_year, indicator_code, scope]
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{{- require_column_list("unique_combination_of_columns", model, "combination_of_columns",
                         combination_of_columns) -}}

{%- set column_list = combination_of_columns | join(', ') %}

with duplicated_combinations as (

    select
        {{ column_list }},
        count(*) as n_records
    from {{ model }}
    group by {{ column_list }}
    having count(*) > 1

)

select * from duplicated_combinations

{% endtest %}
