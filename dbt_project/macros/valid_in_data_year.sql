{#-
    Join condition: the dim_city row (alias `row`) that describes its code in data year
    `data_year`. Rows carry the data-year range they cover, data_year_from (inclusive) to
    data_year_to (exclusive), null = open; the ranges of one code never overlap (test
    assert_dim_city_intervals_do_not_overlap), so a (code, data year) matches at most one row.

      left join dim_city
          on facts.city_code = dim_city.city_code
          and {{ valid_in_data_year('dim_city', 'facts.data_year') }}
-#}
{% macro valid_in_data_year(row, data_year) -%}
    (({{ row }}.data_year_from is null or {{ data_year }} >= {{ row }}.data_year_from)
        and ({{ row }}.data_year_to is null or {{ data_year }} < {{ row }}.data_year_to))
{%- endmacro %}
