"""Audit: the marts built on a candidate copy are checked before anyone sees them.

``candidate`` makes the copy of the writer's database the build runs on, ``verdict`` runs
the build, dbt's tests and the mart suites, and names the releases whose rows fail
(culprit isolation) so they are quarantined and the rest is published."""
