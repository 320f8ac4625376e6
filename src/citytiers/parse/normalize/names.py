"""Name resolution with history: a printed city name and a data year -> the code valid then.

Built from the loaded administrative code records (raw.admin_code_records): every name a
prefecture-level unit or municipality has carried, with the years it was in force. A name
resolves only when exactly one code fits; anything else is left unresolved (the release
then fails, listing the names): nothing is guessed.

Years follow the code lists' year-end semantics: a record is in the list of 31 December of
``valid_from_year`` .. ``valid_to_year - 1``. Statistics for data year Y describe the whole
year, and a unit abolished in December (Laiwu, approved 2018-12-26) still has figures for
that year, so matching tries, in order, and stops at the first pass with one code:

1. the name in force at the end of Y (strict);
2. the name in force at some point during Y (its last list may be Y - 1);
3. another name of a code in force in Y: a former one printed out of habit (襄樊 in 2011
   data -> 420600 襄阳), or today's one in a series reprinted for earlier years.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from citytiers.parse.normalize.codes import OPTIONAL_SUFFIXES, is_municipality
from citytiers.release_order import latest_release_first

# The code-record release in force: the latest loaded and not withdrawn (names and the
# code-list gate).
LATEST_CODE_RECORD_RELEASE = """
    select r.release_id from raw.release_states r
    where r.in_force and r.release_id in (
        select distinct release_id from raw.admin_code_records)
    order by """ + latest_release_first("r.") + " limit 1"


@dataclass(frozen=True)
class NameSpan:
    """One name of one code, in force in the year-end lists ``valid_from``..``valid_to - 1``."""

    code: str
    name: str
    valid_from: int
    valid_to: int | None  # exclusive; None = still in force

    def in_force_at_end_of(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year < self.valid_to)

    def in_force_during(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


@dataclass(frozen=True)
class NameHistory:
    """Every name of every city-level code, keyed by folded name (and its short form)."""

    by_name: dict[str, tuple[NameSpan, ...]] = field(default_factory=dict)
    by_code: dict[str, tuple[NameSpan, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_code)

    @classmethod
    def from_spans(cls, spans: Iterable[NameSpan], fold) -> NameHistory:
        by_name: dict[str, list[NameSpan]] = defaultdict(list)
        by_code: dict[str, list[NameSpan]] = defaultdict(list)
        for span in spans:
            by_code[span.code].append(span)
            key = fold(span.name)
            by_name[key].append(span)
            for short in short_forms(key):
                by_name[short].append(span)
        return cls({k: tuple(v) for k, v in by_name.items()},
                   {k: tuple(v) for k, v in by_code.items()})

    def resolve(self, folded_name: str, year: int | None) -> str | None:
        """The one code the name stands for in ``year`` (None: today), or None."""
        spans = self.by_name.get(folded_name, ())
        if year is None:
            return _only({s.code for s in spans if s.valid_to is None})
        for fits in (lambda s: s.in_force_at_end_of(year), lambda s: s.in_force_during(year)):
            if code := _only({s.code for s in spans if fits(s)}):
                return code
        # Another name of a code in force in ``year`` (former, or today's in a reprint).
        still_valid = {s.code for s in spans
                       if any(later.in_force_during(year) for later in self.by_code[s.code])}
        return _only(still_valid)


def short_forms(folded_name: str) -> list[str]:
    """The forms a table may print without an optional ending: 苏州 for 苏州市."""
    return [folded_name.removesuffix(suffix) for suffix in OPTIONAL_SUFFIXES
            if folded_name.endswith(suffix) and len(folded_name) > len(suffix) + 1]


def _only(codes: set[str]) -> str | None:
    return next(iter(codes)) if len(codes) == 1 else None


def is_city_level(code: str, level_zh: str) -> bool:
    """Prefecture-level units (地级) and the four municipalities resolve as cities."""
    return level_zh == "地级" or (level_zh == "省级" and is_municipality(code))


def latest_code_records(connection) -> list[tuple]:
    """(code, name, level_zh, valid_from_year, valid_to_year, release_id) of every record
    of the code-record release in force (:data:`LATEST_CODE_RECORD_RELEASE`); [] when none
    is loaded. The one reader of the records for names (here) and codes
    (citytiers.parse.normalize.code_history)."""
    from citytiers.database import has_table

    if not has_table(connection, "raw", "admin_code_records"):
        return []
    return connection.execute(f"""
        select code, name, level_zh, valid_from_year, valid_to_year, release_id
        from raw.admin_code_records where release_id in ({LATEST_CODE_RECORD_RELEASE})
    """).fetchall()


def name_history_of(records: list[tuple], fold) -> NameHistory:
    """Names over time from :func:`latest_code_records` (empty when none is loaded: the
    seed's current names are used then)."""
    return NameHistory.from_spans(
        (NameSpan(code, name, start, end) for code, name, level, start, end, _ in records
         if is_city_level(code, level)), fold)
