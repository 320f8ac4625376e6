"""Normalize: printed labels, units, names and codes -> the warehouse's keys.

``dictionary`` holds the reference data the parsers share with dbt (indicators, synonyms,
units, scopes, cities); ``codes`` the form of a code and its name endings (from dbt vars);
``names`` resolves a printed name in a data year; ``code_history`` and ``code_resolution``
re-code retired codes and former names to their successors before any gate."""
