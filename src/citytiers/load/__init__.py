"""Load: one DuckDB transaction per release into the append-only raw layer.

``ingest`` runs one release through parse -> gates -> load (or quarantine with a reason),
``raw`` writes it, ``release_states`` records withdraw / restore / accept / quarantine after
the audit."""
