"""The gates before load: SQL over a staged release and the reference tables
:mod:`citytiers.gates.reference` writes beside it, as expectations of the ``raw_observations``
suite.

Each query returns the offending rows' lineage and a ``problem`` sentence holding both
numbers, which the quarantine reason quotes. Thresholds are columns of the reference tables
(seeds), never literals here. No ":" before a word in these queries: SQLAlchemy would read
it as a bind parameter.
"""

from __future__ import annotations

from typing import Any

# NOT MATERIALIZED: a CTE used twice is otherwise materialized, a copy of the whole
# release in memory (the batch is a table scan; reading it twice costs nothing).
BATCH_CTE = "with b as not materialized (select * from {batch})"
LINEAGE = "b.source_sheet, b.source_row, b.source_column"
FIRST_PER = "qualify row_number() over (partition by {key} order by b.observation_seq) = 1"
# The figure as the release printed it, beside its value in base units (a steward compares
# it with the table in front of them).
PRINTED = "' (printed ' || b.value_raw || ' ' || b.unit_raw || ')'"
SAME_FIGURE = ("e.city_code = b.city_code and e.indicator_code = b.indicator_code "
               "and e.scope = b.scope and e.basis = b.basis")
GATE_QUERIES = {
    "Every printed code is in the code list valid in its data year": f"""
        select {LINEAGE}, 'code ' || b.city_code || ' (printed with ' || b.city_name_raw
               || ') is in no code list valid in ' || b.data_year || ', checked against '
               || coalesce((select any_value(source) from gate_codes), 'no code list')
               || coalesce('. ' || h.why || '. Fix the code, or accept the release if the '
                           || 'row is right (citytiers releases accept)',
                           '. Fix the code, or load the code records that list it')
               as problem
        from b left join code_history_notes h
          on h.city_code = b.city_code and h.data_year = b.data_year
        where not exists (select 1 from gate_codes c where c.code = b.city_code
                          and coalesce(c.valid_from, b.data_year) <= b.data_year
                          and (c.valid_to is null or b.data_year <= c.valid_to))
        {FIRST_PER.format(key="b.city_code, b.data_year")}""",
    "Where a row prints a name and a code, the name is one the code carried": f"""
        select {LINEAGE}, n.problem
        from b join gate_names n using (city_name_raw, city_code, data_year)
        where n.problem is not null
        {FIRST_PER.format(key="b.city_name_raw, b.city_code, b.data_year")}""",
    "Every figure lies within its indicator's plausibility bounds": f"""
        select {LINEAGE}, b.indicator_code || ' of ' || b.city_name_raw || ' ' || b.data_year
               || ' is ' || gate_number(b.value) || ' ' || b.base_unit || ' (printed '
               || b.value_raw || ' ' || b.unit_raw || '), outside ' || gate_number(g.min_value)
               || ' .. ' || gate_number(g.max_value) || '. ' || g.why as problem
        from b join gate_bounds g using (indicator_code)
        where b.value < g.min_value or b.value > g.max_value""",
    "No figure is more than the revision's factor away from its previous vintage": f"""
        select {LINEAGE}, b.indicator_code || ' of ' || b.city_name_raw || ' ' || b.data_year
               || ' is ' || gate_number(b.value) || ' ' || b.base_unit || {PRINTED} || ', '
               || gate_number(greatest(b.value / e.value, e.value / b.value))
               || ' times the previous vintage ' || gate_number(e.value) || ' (' || e.file_name
               || ', published ' || e.published_on || '); more than ' || f.max_factor
               || ' times is not a revision. ' || f.why as problem
        from b
        join gate_previous e on {SAME_FIGURE} and e.data_year = b.data_year
        join gate_factors f on f.compared_with = 'previous_vintage'
        where b.value > 0 and e.value > 0
          and greatest(b.value / e.value, e.value / b.value) > f.max_factor""",
    # Each figure once as the year before and once as the year after another (next_to): an
    # equi-join, not a band join over every pair of years of a city; on a 64-bit hash of
    # the figure's key, so that the join's table holds no text (memory: a release of 300 000
    # figures). (No SQL comments in these queries: each is put on one line.)
    "No figure is more than the revision's factor away from the year before or after": f"""
        , figures as (
            select hash(city_code, indicator_code, scope, basis) as figure_key, data_year,
                   value, file_name as source
            from gate_previous
            union all
            select hash(city_code, indicator_code, scope, basis), data_year, value,
                   'this release'
            from b where indicator_code in (select indicator_code from gate_bounds
                                            where compare_over_time)),
        earlier as (
            select *, data_year + 1 as next_to from figures
            union all
            select *, data_year - 1 from figures)
        select {LINEAGE}, b.indicator_code || ' of ' || b.city_name_raw || ' ' || b.data_year
               || ' is ' || gate_number(b.value) || ' ' || b.base_unit || {PRINTED} || ', '
               || gate_number(greatest(b.value / e.value, e.value / b.value))
               || ' times its ' || e.data_year || ' figure ' || gate_number(e.value) || ' ('
               || e.source || '); more than ' || f.max_factor || ' times. ' || f.why
               as problem
        from b
        join gate_bounds g on g.indicator_code = b.indicator_code and g.compare_over_time
        join earlier e on e.figure_key = hash(b.city_code, b.indicator_code, b.scope, b.basis)
                      and e.next_to = b.data_year
        join gate_factors f on f.compared_with = 'adjacent_year'
        where b.value > 0 and e.value > 0
          and greatest(b.value / e.value, e.value / b.value) > f.max_factor
        {FIRST_PER.format(key="b.observation_seq")}""",
    "A ratio indicator agrees with its numerator over its denominator": f"""
        select {LINEAGE}, b.indicator_code || ' of ' || b.city_name_raw || ' ' || b.data_year
               || ' is ' || gate_number(b.value) || ' ' || b.base_unit || ', but '
               || r.numerator_code || ' / ' || r.denominator_code || ' is '
               || gate_number(n.value) || ' / ' || gate_number(d.value) || ' = '
               || gate_number(n.value / d.value) || ' (rows ' || n.source_row || ' and '
               || d.source_row || '); more than ' || f.max_factor || ' times apart. '
               || f.why as problem
        from b
        join gate_ratios r on r.indicator_code = b.indicator_code
        join b n on n.indicator_code = r.numerator_code and n.city_code = b.city_code
                        and n.data_year = b.data_year and n.scope = b.scope
        join b d on d.indicator_code = r.denominator_code and d.city_code = b.city_code
                        and d.data_year = b.data_year and d.scope = b.scope
        join gate_factors f on f.compared_with = 'ratio_of_inputs'
        where b.value > 0 and n.value > 0 and d.value > 0
          and greatest(b.value / (n.value / d.value), (n.value / d.value) / b.value)
              > f.max_factor""",
}


# Where citytiers.gates.reference puts what the queries found, for the expectations to report.
PROBLEMS_TABLE = "gate_problems"


def gate_sql(query: str, batch: str = "{batch}") -> str:
    """One gate query on one line (``batch``: the staged table, or GX's placeholder)."""
    # GX would put the batch in as "(...) AS subselect": named once, as the CTE ``b``.
    return " ".join(f"{BATCH_CTE} {query}".split()).replace("{batch}", batch)


def find_problems(con: Any) -> None:
    """Run every gate once over the staged ``observations`` (in the staging database
    ``con`` opened) into :data:`PROBLEMS_TABLE`. The gates join a release with itself and
    with the reference; GX would run each query twice (a count, then the rows), so they
    run here, once, and the expectations read their result."""
    con.execute(f"delete from {PROBLEMS_TABLE}")
    for description, query in GATE_QUERIES.items():
        con.execute(f"""insert into {PROBLEMS_TABLE}
                        select ?, source_sheet, source_row, source_column, problem
                        from ({gate_sql(query, 'observations')})""", [description])


def gate_expectations() -> list[Any]:
    """The gates before load (:data:`GATE_QUERIES`), as GX expectations over what
    :func:`find_problems` found for the staged release: they fail, show in Data Docs and
    name the rows like any other expectation."""
    import great_expectations.expectations as gxe

    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return [gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    f"select source_sheet, source_row, source_column, problem "
                    f"from {PROBLEMS_TABLE} where gate = {quoted(description)} "
                    "and exists (select 1 from {batch})"),
                description=description)
            for description in GATE_QUERIES]
