"""The reference data the parsers share with dbt: indicators, synonyms, units, scopes, cities.

All of it lives in ``dbt_project/seeds/*.csv`` so that a new header spelling or unit is a
one-line change to a seed, picked up by the parser and by the dbt models alike.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import opencc

from citytiers.names import NameHistory, read_name_history, short_forms

# "地区生产总值(万元)" after NFKC folding of full-width brackets: name, then unit.
# DOTALL: a header wrapped inside its cell (地区生产\n总值(万元)) is still one header.
HEADER_WITH_UNIT = re.compile(r"^(?P<name>.+?)\s*\((?P<unit>[^()]+)\)\s*$", re.DOTALL)
# ASCII digits only, after NFKC (a full-width ３２０５００ is 320500; an Arabic-Indic or
# Devanagari digit is not a code).
CODE_PATTERN = re.compile(r"[0-9]{6}")
# Name help for a printed name that resolves to nothing: difflib's ratio (2 x common
# characters / total) of at least 0.6 puts 准安市 next to 淮安市 (0.67), not 火星市 next to
# 吉林市 (0.33).
# String similarity cannot tell which of 淮安/西安/泰安 an OCR'd 准安 was: show up to 8.
NEAREST_NAME_SIMILARITY = 0.6
NEAREST_NAMES_SHOWN = 8
# 江苏省 -> 江苏, 广西壮族自治区 -> 广西, 北京市 -> 北京 (the short forms yearbooks print).
PROVINCE_SUFFIX = re.compile(r"(省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize_label(text: str) -> str:
    """Fold a printed label to one spelling: NFKC (full-width -> half-width), no white
    space (headers wrap inside cells), traditional -> simplified characters."""
    folded = unicodedata.normalize("NFKC", text)
    folded = re.sub(r"\s+", "", folded)
    return _t2s().convert(folded)


def split_unit(header: str) -> tuple[str, str | None]:
    """``地区生产总值（万元）`` -> (``地区生产总值``, ``万元``); no brackets -> (header, None)."""
    folded = unicodedata.normalize("NFKC", header).strip()
    match = HEADER_WITH_UNIT.match(folded)
    if match and match.group("unit").strip():  # blank brackets "( )" give no unit
        return match.group("name"), match.group("unit").strip()
    return folded, None


def normalize_code(raw: object) -> str | None:
    """A 6-digit admin code from ``320500``, ``'320500'`` or a float ``320500.0``; else None."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text if CODE_PATTERN.fullmatch(text) else None


@dataclass(frozen=True)
class Indicator:
    code: str
    base_unit: str
    is_non_negative: bool
    default_basis: str


@dataclass(frozen=True)
class Unit:
    """``label`` is the simplified spelling (万元 for 萬元 too); the printed one is unit_raw."""

    label: str
    base_unit: str
    factor: float
    # The seed's factor exactly as written, for DECIMAL arithmetic (equality is the factor's).
    factor_text: str = field(default="1", compare=False)


@dataclass(frozen=True)
class Dictionary:
    """Lookups built from the seeds. Keys are :func:`normalize_label`-ed."""

    indicators: dict[str, Indicator]
    synonyms: dict[str, str]
    units: dict[str, Unit]
    scopes: dict[str, str]
    city_names: dict[str, str]
    city_codes: frozenset[str]
    bases: frozenset[str]
    # Province-level names (江苏省 and 江苏), from city_reference.csv: a yearbook's section
    # rows and provincial totals, never a city of their own unless they resolve to one.
    province_names: frozenset[str] = frozenset()
    # Names over time from loaded code records; empty until a code-record release is loaded.
    name_history: NameHistory = field(default_factory=NameHistory)
    # Spellings a steward accepted (seeds/name_aliases.csv), by folded printed name.
    aliases: dict[str, tuple[NameAlias, ...]] = field(default_factory=dict)

    def indicator_for(self, label: str) -> Indicator | None:
        code = self.synonyms.get(normalize_label(label))
        return self.indicators.get(code) if code else None

    def unit_for(self, label: str) -> Unit | None:
        return self.units.get(normalize_label(label))

    def scope_for(self, label: str) -> str | None:
        return self.scopes.get(normalize_label(label))

    def city_code_for(self, name: str, year: int | None = None) -> str | None:
        """Resolve a printed name (苏州, 苏州市, 蘇州市, 襄樊) to the code valid in data year
        ``year``, or None. Never guesses: with loaded code records a name must fit exactly
        one code (see citytiers.names); without them, the seed's current names are used."""
        key = normalize_label(name)
        if self.name_history:
            code = self.name_history.resolve(key, year)
        else:
            code = self.city_names.get(key) or self.city_names.get(key + "市")
        return code or self.alias_code(key, year)

    def alias_code(self, folded_name: str, year: int | None) -> str | None:
        """The code a steward's alias gives the printed name in ``year``, or None (also
        when two aliases of one spelling disagree: never a guess)."""
        codes = {alias.code for alias in self.aliases.get(folded_name, ())
                 if alias.covers(year)}
        return next(iter(codes)) if len(codes) == 1 else None

    def names_of(self, code: str) -> frozenset[str]:
        """Every folded name ``code`` has carried (loaded code records, the seed), with the
        short forms a table may print (苏州 for 苏州市): what a printed name must be one of
        where a row prints both name and code."""
        names = {normalize_label(span.name)
                 for span in self.name_history.by_code.get(code, ())}
        names |= {name for name, seed_code in self.city_names.items() if seed_code == code}
        return frozenset(names | {short for name in names for short in short_forms(name)})

    def nearest_names(self, name: str, year: int | None = None) -> list[tuple[str, str]]:
        """Known names closest to a printed one that does not resolve (OCR prints 准安市
        for 淮安市), with their codes: names valid in ``year`` from the loaded code
        records, else the seed's. Help for a steward, never used to resolve."""
        key = normalize_label(name)
        if self.name_history:
            known = {normalize_label(span.name): span.code
                     for spans in self.name_history.by_code.values() for span in spans
                     if year is None or span.in_force_during(year)}
        else:
            known = dict(self.city_names)
        close = difflib.get_close_matches(key, list(known), n=NEAREST_NAMES_SHOWN,
                                          cutoff=NEAREST_NAME_SIMILARITY)
        return [(match, known[match]) for match in close]

    def unresolved_hint(self, name: str, year: int | None = None) -> str:
        """``"; nearest known: 淮安市 320800"`` for a message, or ``""``."""
        near = self.nearest_names(name, year)
        if not near:
            return ""
        return ("; nearest known: " + ", ".join(f"{n} {c}" for n, c in near)
                + " (if it is one of them, add the spelling to "
                  "dbt_project/seeds/name_aliases.csv)")

    def with_name_history(self, build_db: Path) -> Dictionary:
        """This dictionary plus the names over time loaded in ``build_db``."""
        return replace(self, name_history=read_name_history(build_db, normalize_label))


@dataclass(frozen=True)
class NameAlias:
    """One line of seeds/name_aliases.csv: ``printed_name`` stands for ``code`` in data
    years ``first_year``..``last_year`` (None: open)."""

    code: str
    first_year: int | None
    last_year: int | None

    def covers(self, year: int | None) -> bool:
        if year is None:
            return self.last_year is None
        return ((self.first_year is None or self.first_year <= year)
                and (self.last_year is None or year <= self.last_year))


def _year_or_none(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


def _aliases(path: Path) -> dict[str, tuple[NameAlias, ...]]:
    aliases: dict[str, list[NameAlias]] = {}
    for row in read_csv_rows(path):
        code = normalize_code(row["city_code"])
        if code is None:
            raise ValueError(f"{path.name}: city_code {row['city_code']!r} of "
                             f"{row['printed_name']!r} is not 6 digits")
        aliases.setdefault(normalize_label(row["printed_name"]), []).append(NameAlias(
            code, _year_or_none(row.get("first_year")), _year_or_none(row.get("last_year"))))
    return {name: tuple(found) for name, found in aliases.items()}


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a seed CSV (header = keys), as text: the one reader of seed files for
    the parser, the gates, the suites and the bench."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _units(path: Path) -> dict[str, Unit]:
    """Units keyed and labelled by their folded spelling, so 万元 and 萬元 are one entry
    whatever the seed's row order; two rows that fold together must agree on the factor."""
    units: dict[str, Unit] = {}
    for row in read_csv_rows(path):
        key = normalize_label(row["unit"])
        unit = Unit(key, row["base_unit"], float(row["factor_to_base"]),
                    row["factor_to_base"].strip())
        if units.setdefault(key, unit) != unit:
            raise ValueError(f"{path.name}: unit {row['unit']!r} is the same unit as "
                             f"{key!r} but says {unit.factor:g} {unit.base_unit} instead of "
                             f"{units[key].factor:g} {units[key].base_unit}")
    return units


def load_dictionary(seeds_dir: Path) -> Dictionary:
    """Read the seeds once per process (see :func:`cached_dictionary`)."""
    indicators = {
        row["indicator_code"]: Indicator(
            code=row["indicator_code"],
            base_unit=row["base_unit"],
            is_non_negative=row["is_non_negative"].strip().lower() == "true",
            default_basis=row["default_basis"],
        )
        for row in read_csv_rows(seeds_dir / "indicators.csv")
    }
    synonyms = {
        normalize_label(row["synonym"]): row["indicator_code"]
        for row in read_csv_rows(seeds_dir / "indicator_synonyms.csv")
    }
    units = _units(seeds_dir / "unit_factors.csv")
    scopes = {normalize_label(row["scope_label"]): row["scope_code"]
              for row in read_csv_rows(seeds_dir / "scopes.csv")}
    cities = read_csv_rows(seeds_dir / "city_reference.csv")
    return Dictionary(
        indicators=indicators,
        synonyms=synonyms,
        units=units,
        scopes=scopes,
        city_names={normalize_label(row["city_name"]): row["city_code"] for row in cities},
        city_codes=frozenset(row["city_code"] for row in cities),
        bases=frozenset(row["basis_code"]
                        for row in read_csv_rows(seeds_dir / "population_bases.csv")),
        aliases=_aliases(seeds_dir / "name_aliases.csv"),
        province_names=frozenset(
            name for row in cities for full in [normalize_label(row["province_name"])]
            for name in (full, PROVINCE_SUFFIX.sub("", full))),
    )


@cache
def cached_dictionary(seeds_dir: Path) -> Dictionary:
    return load_dictionary(seeds_dir)
