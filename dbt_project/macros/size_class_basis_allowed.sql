{#-
    The population-basis policy's window, as a join condition: an urban-area (城区) figure
    of data year `basis_year` may size a city in data year `data_year` when it is at most
    var('size_class_max_age_years') years away, either way, and a LATER figure only while
    var('size_class_allow_later_basis') is true. One definition for the two models that
    apply it: int_city_year_size_classes (which figure sizes a city-year) and
    int_county_level_city_years_to_tier (in which years a county-level city, known by its
    城区 figure alone, is tiered at all).

      inner join int_city_year_urban_populations_banded
          on city_years.city_code = int_city_year_urban_populations_banded.city_code
          and {{ size_class_basis_allowed('city_years.data_year', 'int_city_year_urban_populations_banded.data_year') }}
-#}
{% macro size_class_basis_allowed(data_year, basis_year) -%}
    (abs({{ data_year }} - {{ basis_year }}) <= {{ var('size_class_max_age_years') }}
        and ({{ var('size_class_allow_later_basis') }} or {{ basis_year }} <= {{ data_year }}))
{%- endmacro %}
