"""Gates: the checks a staged release must pass before it is loaded.

``reference`` stages the reference tables the checks read (codes, names, history) and
``queries`` holds the checks as SQL over the staged release. What they find is recorded
row by row with :mod:`citytiers.findings` (problems refuse a release, warnings are kept).
The raw GX suites that run with them are built in :mod:`citytiers.validate`."""
