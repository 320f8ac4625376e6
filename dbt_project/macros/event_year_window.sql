{#-
    A change event of year `event_year` shows in the year-end code lists of that year or of
    the next `var('event_list_lag_years')` (a change approved late in the year is listed the
    next year: Laiwu into Jinan, approved 2018-12-26, ends the 2018 record or starts with the
    2019 list). The last year-end list that can show it:

      records.valid_from_year <= {{ event_list_last_year('events.event_year') }}

    and whether a record's valid_to_year / valid_from_year is that event's change:

      where {{ in_event_window('old_valid_to_year', 'event_year') }}
-#}
{% macro event_list_last_year(event_year) -%}
    ({{ event_year }} + {{ var('event_list_lag_years') }})
{%- endmacro %}

{% macro in_event_window(year, event_year) -%}
    {{ year }} between {{ event_year }} and {{ event_list_last_year(event_year) }}
{%- endmacro %}
