"""Bundled SYNTHETIC sample releases (not official statistics), in ``releases/``. Their
generator lives outside the wheel: ``tools/generate_samples.py``."""
