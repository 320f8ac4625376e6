"""Great Expectations, shared by the gates and the audit: suites as code (``suites``), the
file-based project in ``expectations/`` and its checkpoints (``gx_project``), and a failed
expectation in a data steward's words (``steward_words``).

One package rather than a half in ``gates/`` and a half in ``audit/``: the raw and the mart
suites are built by one builder from the tables' declared columns and run through one GX
project; split, that wiring would be written twice."""
