"""Bundled SYNTHETIC sample releases (not official statistics) and their generator."""
