"""citytiers: a versioned warehouse of Chinese city statistics from yearbook releases."""

__version__ = "0.1.0"
