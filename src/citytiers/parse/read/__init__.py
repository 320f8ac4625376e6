"""Read: a release's bytes -> grids of text cells (one Arrow table per sheet).

CSV dialect and encoding sniffing and workbooks in ``grids``; formula cells read as stored
values, never evaluated, in ``formulas``."""
