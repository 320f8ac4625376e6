"""Discover: source folders -> candidate releases not yet processed.

One job: decide which files are releases to ingest tonight. ``candidates`` walks the
source folders (stat cache, no symlinks or special files, a size limit), ``metadata`` reads
and completes each release's sidecar (and the ones shipped for known public files in
``known_releases/``), ``storage`` keeps the original after processing (archive or
quarantine) and knows the name a kept file arrived under."""
