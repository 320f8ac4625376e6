"""``make bench``: how fast and how big the pipeline's stages are, on SYNTHETIC inputs.

- :mod:`tools.bench.generate` writes the synthetic benchmark releases (1x, 10x, 100x);
- :mod:`tools.bench.measure` runs one command in a fresh process and records its wall
  time and peak RSS;
- :mod:`tools.bench.stages` knows the stages (ingest, the limits DuckDB and calamine
  set, dbt build, full rebuild, quiet night) and is also the entry point of the limit
  subprocesses;
- :mod:`tools.bench.report` turns the measurements into ``bench.md`` / ``bench.json``;
- ``python -m tools.bench`` runs it all.

A benchmark, never a test: nothing here asserts a time.
"""
