"""Sidecars are data from an untrusted folder: no YAML aliases, and a size limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from citytiers.discover.metadata import MAX_SIDECAR_BYTES, read_sidecar
from citytiers.errors import ReleaseError

# The "billion laughs": 388 bytes that a plain YAML loader expands to gigabytes.
LAUGHS = """publisher: sample
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
"""


def release(tmp_path: Path, sidecar: str) -> Path:
    data = tmp_path / "release.csv"
    data.write_text("city_code,city_name,data_year,indicator,scope,value,unit\n",
                    encoding="utf-8")
    (tmp_path / "release.csv.release.yml").write_text(sidecar, encoding="utf-8")
    return data


@pytest.mark.unit
def test_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="anchors and aliases are not allowed"):
        read_sidecar(release(tmp_path, LAUGHS))


@pytest.mark.unit
def test_an_oversized_sidecar_is_not_read(tmp_path: Path) -> None:
    big = "publisher: sample\nnote: " + "x" * MAX_SIDECAR_BYTES + "\n"
    with pytest.raises(ReleaseError, match="more than a sidecar can be"):
        read_sidecar(release(tmp_path, big))


@pytest.mark.unit
def test_an_ordinary_sidecar_still_reads(tmp_path: Path) -> None:
    sidecar = "publisher: sample\ntitle: SYNTHETIC SAMPLE\ndata_year: 2021\n"
    assert read_sidecar(release(tmp_path, sidecar)) == {
        "publisher": "sample", "title": "SYNTHETIC SAMPLE", "data_years": [2021]}
