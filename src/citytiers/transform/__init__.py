"""Transform: the marts from raw, with dbt.

``dbt_runner`` runs dbt in a subprocess on a given database and reads its results,
``build_state`` decides whether tonight needs a build, ``spark`` is the Spark target's
frame around ``dbt build``, ``raw_parquet`` writes raw for it, ``rebuild`` builds every mart
as the warehouse stood on a past date."""
