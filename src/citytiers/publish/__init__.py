"""Publish: the audited candidate becomes the analysts' database.

An atomic swap, in the storage version DuckDB 1.x clients read, with Parquet exports."""
