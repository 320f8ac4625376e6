"""Great Expectations: suites as code, a file-based project in ``expectations/``."""
