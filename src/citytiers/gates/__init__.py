"""Gates: the checks a staged release must pass before it is loaded.

``reference`` stages the reference tables the checks read (codes, names, history),
``queries`` holds the checks as SQL over the staged release, ``findings`` records what they
found row by row (problems refuse a release, warnings are kept beside it). The raw GX suites
that run with them are built in :mod:`citytiers.validate`."""
