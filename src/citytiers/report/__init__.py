"""Report: what a night did and what the warehouse holds, for stewards and analysts.

``run_summary`` is the run's summary (printed by ``make run``), ``history`` the run history
kept in ``warehouse/history.duckdb``, ``quality`` the data-quality pages rendered from it,
``analytics`` and ``charts`` the analytics pages from the published marts, ``pages`` the
shared self-contained HTML, ``dbt_docs`` the dbt documentation site and its completeness
check, ``alerts`` what a degraded or failed night tells someone."""
