"""Audit: the marts built on a candidate copy are checked before anyone sees them.

``verdict`` runs the build on the candidate copy (:mod:`citytiers.transform.candidate`),
dbt's tests and the mart suites, and names the releases whose rows fail (culprit
isolation) so they are quarantined and the rest is published."""
