{#- The (city_code, data_year) pairs whose territory changed: both the gaining and the
    absorbed city, from the first data year on the new territory. `changes` names a CTE
    or relation shaped like int_boundary_changes_derived; one definition for every mart
    that flags boundary breaks. -#}
{% macro boundary_break_years(changes) %}
    select city_code, first_affected_data_year as data_year from {{ changes }}
    union
    select absorbed_code as city_code, first_affected_data_year as data_year from {{ changes }}
{% endmacro %}
