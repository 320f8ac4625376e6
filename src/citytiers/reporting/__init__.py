"""The stewards' and analysts' reports: the run history (``history``), the data-quality
pages rendered from it (``quality``), the analytics pages rendered from the published marts
(``analytics``, charts in ``charts``), all self-contained HTML (``pages``)."""
