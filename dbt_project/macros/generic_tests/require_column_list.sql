{#-
    The argument check of the project's generic tests that take a list of columns
    (not_null_columns, unique_combination_of_columns): a compile error that says how to
    write it, not a test that quietly checks nothing or the letters of a string.
-#}
{% macro require_column_list(test_name, model, argument, columns) %}
    {%- if columns is string or columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ " on " ~ model ~ ": `" ~ argument ~ "` must be a non-empty list of "
            ~ "column names, got " ~ columns ~ ". "
            ~ "Write it as: arguments: {" ~ argument ~ ": [col_a, col_b]}"
        ) }}
    {%- endif -%}
{% endmacro %}
