"""Transform: the marts from raw, with dbt.

``candidate`` copies the writer's database for a build (the night's, or an as-of
rebuild's), ``dbt_runner`` runs dbt in a child process on a given database and reads its
results, ``build_state`` decides whether tonight needs a build, ``spark`` is the Spark
target's frame around ``dbt build``, ``raw_parquet`` writes raw for it, ``rebuild`` builds
every mart as the warehouse stood on a past date."""
