"""The reference data the parsers share with dbt: indicators, synonyms, units, scopes, cities.

All of it lives in ``dbt_project/seeds/*.csv`` so that a new header spelling or unit is a
one-line change to a seed, picked up by the parser and by the dbt models alike.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

import opencc

from citytiers.parse.normalize.code_history import CodeHistory, Succession, code_history_of
from citytiers.parse.normalize.codes import is_code
from citytiers.parse.normalize.names import (
    NameHistory,
    latest_code_records,
    name_history_of,
    short_forms,
)
from citytiers.settings import DBT_PROJECT_FILE

# "地区生产总值(万元)" after NFKC folding of full-width brackets: name, then unit.
# DOTALL: a header wrapped inside its cell (地区生产\n总值(万元)) is still one header.
HEADER_WITH_UNIT = re.compile(r"^(?P<name>.+?)\s*\((?P<unit>[^()]+)\)\s*$", re.DOTALL)
# ASCII digits only, after NFKC (a full-width ３２０５００ is 320500; an Arabic-Indic or
# Devanagari digit is not a code).
# Name help for a printed name that resolves to nothing (a steward's suggestions, never
# used to resolve). A known name is offered when it is written or sounds alike:
# - written: difflib's ratio (2 x common characters / total) of at least 0.6 puts 准安市
#   next to 淮安市 (0.67), not 火星市 next to 吉林市 (0.33);
# - sounds: the same ratio over toneless pinyin syllables (pypinyin) of at least 0.8, which
#   a name of 3 or 4 syllables reaches only when every syllable sounds alike (羊洲市 ->
#   扬州市, 1.0): one differing syllable in 3 (0.67, 杨州市 -> 郑州市) is not enough alone.
NEAREST_NAME_SIMILARITY = 0.6
NEAREST_NAME_SOUND_SIMILARITY = 0.8
# Ranked by written + sound similarity (each 0..1), plus this bonus for a name of the
# release's own province. 0.2 is less than what one differing character or syllable costs in
# a name of up to 4 characters (0.25 .. 0.33), so the province orders names that are equally
# close (准安市 in a 江苏 release: 淮安市 before 西安市 and 泰安市, all 0.67 + 0.67) but never
# lifts a farther name of the province above a nearer one elsewhere (杨州市: 扬州市, which
# sounds the same, comes first in any release).
SAME_PROVINCE_BONUS = 0.2
# A release's own province is that of more than half of the distinct cities it resolves
# to: a national yearbook has none, so no province is favoured there.
RELEASE_PROVINCE_SHARE = 0.5
# Similarity alone cannot tell which of 淮安/西安/泰安 an OCR'd 准安 was: show up to 8.
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
    return text if is_code(text) else None


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
    # The same names -> the province's two code digits (江苏省 and 江苏 -> 32): the province of
    # a city code is its first two digits (province-level code XX0000).
    province_codes: dict[str, str] = field(default_factory=dict)
    # Names over time from loaded code records; empty until a code-record release is loaded.
    name_history: NameHistory = field(default_factory=NameHistory)
    # Spellings a steward accepted (seeds/name_aliases.csv), by folded printed name.
    aliases: dict[str, tuple[NameAlias, ...]] = field(default_factory=dict)
    # Codes over time and what a retired code became (citytiers.parse.normalize.code_history);
    # empty until
    # a code-record release is loaded.
    code_history: CodeHistory = field(default_factory=CodeHistory)
    # Where the seeds were read (the code history reads admin_event_types.csv there too).
    seeds_dir: Path | None = None

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
        one code (see citytiers.parse.normalize.names); without them, the seed's current names are
        used."""
        key = normalize_label(name)
        if self.name_history:
            code = self.name_history.resolve(key, year) or self.successor_of_former_name(
                key, year)
        else:
            code = self.city_names.get(key) or self.city_names.get(key + "市")
        return code or self.alias_code(key, year)

    def successor_of_former_name(self, folded_name: str, year: int | None) -> str | None:
        """A former name (吐鲁番地区 in 2018 data): the one code of the same place in force
        in ``year`` that the code carrying it became (citytiers.parse.normalize.code_history), or
        None."""
        found = self.former_name_succession(folded_name, year)
        return found[1].code if found else None

    def former_name_succession(self, folded_name: str, year: int | None
                               ) -> tuple[str, Succession] | None:
        """(the retired code that carried the name, its succession) when the name's codes
        that left the lists before ``year`` all lead to one code in force then; else None.
        The parser resolves a former name by it, and the warning quotes it."""
        if year is None or not self.code_history:
            return None
        found = [(span.code, outcome)
                 for span in self.name_history.by_name.get(folded_name, ())
                 if span.valid_to is not None and span.valid_to < year
                 for outcome in [self.code_history.successor(span.code, year)]
                 if isinstance(outcome, Succession)]
        return found[0] if len({outcome.code for _, outcome in found}) == 1 else None

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

    def province_code(self, name: str) -> str | None:
        """The two code digits of a printed province name (江苏省, 江苏, 江蘇省 -> 32)."""
        return self.province_codes.get(normalize_label(name))

    def nearest_names(self, name: str, year: int | None = None,
                      province: str | None = None) -> list[tuple[str, str]]:
        """Known names closest to a printed one that does not resolve (OCR prints 准安市
        for 淮安市, a typist 杨州市 for 扬州市), with their codes: names valid in ``year``
        from the loaded code records, else the seed's; nearest first by how they are
        written and how they sound, names of ``province`` (two code digits, the release's
        own province) first among equally near ones. Help for a steward, never used to
        resolve."""
        key = normalize_label(name)
        if self.name_history:
            known = {normalize_label(span.name): span.code
                     for spans in self.name_history.by_code.values() for span in spans
                     if year is None or span.in_force_during(year)}
        else:
            known = dict(self.city_names)
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        sound = difflib.SequenceMatcher(b=_syllables(key), autojunk=False)
        ranked = []
        for candidate, code in known.items():
            matcher.set_seq1(candidate)
            written = matcher.ratio()
            sound.set_seq1(_syllables(candidate))
            sounds = sound.ratio()
            if written < NEAREST_NAME_SIMILARITY and sounds < NEAREST_NAME_SOUND_SIMILARITY:
                continue
            bonus = SAME_PROVINCE_BONUS if province and code[:2] == province else 0.0
            # A misreading replaces a character in place: among equally near names, those
            # alike at the same positions (西安市 for 准安市) before those alike elsewhere
            # (安庆市); then by spelling. Rounded so that equally near names tie exactly.
            aligned = (_same_places(candidate, key)
                       + _same_places(_syllables(candidate), _syllables(key)))
            ranked.append((-round(written + sounds + bonus, 6), -aligned, -written,
                           candidate, code))
        return [(candidate, code) for *_, candidate, code in sorted(ranked)
                [:NEAREST_NAMES_SHOWN]]

    def unresolved_hint(self, name: str, year: int | None = None,
                        province: str | None = None) -> str:
        """``"; nearest known: 淮安市 320800"`` for a message, or ``""`` (``province``: the
        release's own, see :meth:`nearest_names`)."""
        near = self.nearest_names(name, year, province)
        if not near:
            return ""
        return ("; nearest known: " + ", ".join(f"{n} {c}" for n, c in near)
                + " (if it is one of them, add the spelling to "
                  "dbt_project/seeds/name_aliases.csv)")

    def with_name_history(self, build_db: Path) -> Dictionary:
        """This dictionary plus the names and codes over time loaded in ``build_db`` (its
        latest code records, read once for both)."""
        from citytiers.database import connect

        if not build_db.exists():
            return replace(self, name_history=NameHistory(), code_history=CodeHistory())
        with connect(build_db) as connection:
            records = latest_code_records(connection)
            codes = code_history_of(connection, records,
                                    self.seeds_dir or DBT_PROJECT_FILE.parent / "seeds")
        return replace(self, name_history=name_history_of(records, normalize_label),
                       code_history=codes)


@lru_cache(maxsize=1 << 14)
def _syllables(folded_name: str) -> tuple[str, ...]:
    """How a folded name sounds: its toneless pinyin syllables (扬州市 -> yang zhou shi;
    a run of non-Chinese characters stays one item)."""
    from pypinyin import Style, lazy_pinyin  # only when a name does not resolve

    return tuple(lazy_pinyin(folded_name, style=Style.NORMAL))


def _same_places(one: Sequence[str], other: Sequence[str]) -> int:
    """How many positions hold the same item (names of unequal length: up to the shorter)."""
    return sum(a == b for a, b in zip(one, other, strict=False))


def majority_province(cities_by_province: Mapping[str, int]) -> str | None:
    """The release's own province (two code digits) from its resolved cities counted by
    province, ``{"32": 12, "31": 1}`` -> ``"32"``: the one holding more than
    :data:`RELEASE_PROVINCE_SHARE` of them, else None."""
    total = sum(cities_by_province.values())
    return next((province for province, count in cities_by_province.items()
                 if province and count > total * RELEASE_PROVINCE_SHARE), None)


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
        seeds_dir=seeds_dir,
        province_names=frozenset(
            name for row in cities for full in [normalize_label(row["province_name"])]
            for name in (full, PROVINCE_SUFFIX.sub("", full))),
        province_codes={
            name: row["province_code"][:2]
            for row in cities for full in [normalize_label(row["province_name"])]
            for name in (full, PROVINCE_SUFFIX.sub("", full))},
    )


@cache
def cached_dictionary(seeds_dir: Path) -> Dictionary:
    return load_dictionary(seeds_dir)
