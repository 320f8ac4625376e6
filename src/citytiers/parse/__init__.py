"""Parse: one release file -> its metadata and its observations, staged in DuckDB.

``read`` turns bytes into grids (CSV dialects and encodings, workbooks, the formula scan),
``layouts`` turns grids into long observations with cell lineage (one module per format),
``normalize`` maps labels, units, names and codes to the warehouse's keys. ``release`` runs
the three for one file; ``buffer`` is the per-release DuckDB database they write into
(the parse buffer, not dbt's staging layer)."""
