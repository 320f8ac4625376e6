"""Codes over time: what a retired administrative code became.

Publications lag the code list: yearbook tables keep printing a retired code with the unit's
former name for years after a 地区 became a 市 (``652100 吐鲁番地区`` in tables of 2016-2020
data; 吐鲁番市 ``650400`` from 2015). This module reads, from the loaded reference releases,
which retired code is *the same place* under a new code, so that such a row loads under its
successor (with a warning naming it) instead of refusing the whole release.

A **succession link** (old code -> new code, in the year the old one left the lists) comes
from any of:

- the code records' own 新代码 column (``successor_codes``, ``420602[1984];420603``);
- a change event (``raw.admin_change_events``) whose change class
  (``seeds/admin_event_types.csv``) is ``upgrade`` or ``rename``: the old unit is a record of
  that name in the event's province that ended in the event year or the next, the new unit
  one of the new name that started then (the event-year tolerance is the one
  ``int_admin_change_events_resolved`` uses);
- the same unit under the same short name (吐鲁番 of 吐鲁番地区 and 吐鲁番市), at the same
  level, in the same province, the new code starting the year the old one ended.

A retired code is the same place as its successor only when the link is one to one: the
old code has exactly one successor, that successor was created by the change (its first
list is the old code's first list without it: an existing unit that absorbed it is not the
same place, 莱芜 371200 into 济南 370100), and no other code ended into it that year (three
districts merged into 滨海新区 are not each 滨海新区). Everything else (a split, a merger, no
successor at all) stays a problem at the gates, with this module's sentence saying why.

Nothing here is a hand-written list of codes: without loaded code records the history is
empty and nothing is resolved (the seed ``city_reference.csv`` holds today's cities only).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from citytiers.parse.normalize.codes import CITY_CODE_REGEX, optional_suffix_sql
from citytiers.parse.normalize.names import LATEST_CODE_RECORD_RELEASE
from citytiers.settings import dbt_vars

# The change classes of seeds/admin_event_types.csv whose old and new unit are one place.
SAME_PLACE_CLASSES = ("upgrade", "rename")
# A chain of re-codings followed at most this deep (county -> county-level city -> district
# is two); a longer chain is a data error, not a history.
MAX_CHAIN = 5
# A change event of year Y ends or starts the code records of the year-end list of Y or up
# to this many years later (dbt var event_list_lag_years, as in macros/event_year_window.sql).
EVENT_LIST_LAG_YEARS = int(dbt_vars()["event_list_lag_years"])

# Links from the three sources, as (old_code, new_code, year the old code left, via).
# ``{seed}``: the path of admin_event_types.csv. Change events of every release in force are
# read (two event tables complement each other); code records of the latest only.
_LINKS_SQL = f"""
with records as (
    select code, name, level_zh, province_name, valid_from_year, valid_to_year,
           successor_codes
    from raw.admin_code_records
    where release_id in ({LATEST_CODE_RECORD_RELEASE})),
short_named as (
    select *, {optional_suffix_sql("name")} as short_name
    from records),
listed as (
    select code as old_code,
           regexp_replace(trim(successor), '\\[\\d{{4}}\\]$', '') as new_code,
           valid_to_year as year, 'the code records (新代码)' as via
    from (select *, unnest(string_split(successor_codes, ';')) as successor
          from records where successor_codes is not null and valid_to_year is not null)
    -- '420602[1984]': part of the territory went there in 1984, while the code lived on;
    -- only a successor without a year, or of the year the code ended, succeeds it.
    where coalesce(try_cast(regexp_extract(successor, '\\[(\\d{{4}})\\]', 1) as integer),
                   valid_to_year) = valid_to_year),
events as (
    select distinct e.event_id, e.event_year, e.province_name, e.old_name, e.new_name,
           e.event_type
    from raw.admin_change_events e
    join raw.release_states r on r.release_id = e.release_id and r.in_force
    join read_csv('{{seed}}', all_varchar = true) t
      on t.event_type = e.event_type and t.change_class in {SAME_PLACE_CLASSES!r}
    where e.new_name is not null),
by_event as (
    select o.code as old_code, n.code as new_code, o.valid_to_year as year,
           'change event ' || e.event_id || ' (' || e.old_name || ' → ' || e.new_name
           || ', ' || e.event_type || ', ' || e.event_year || ')' as via
    from events e
    join records o on o.name = e.old_name and o.province_name = e.province_name
                  and o.valid_to_year between e.event_year
                                          and e.event_year + {EVENT_LIST_LAG_YEARS}
    join records n on n.name = e.new_name and n.province_name = e.province_name
                  and n.valid_from_year between e.event_year
                                            and e.event_year + {EVENT_LIST_LAG_YEARS}),
by_short_name as (
    select o.code, n.code, o.valid_to_year,
           'the same unit under a new code (' || o.name || ' → ' || n.name || ', '
           || o.valid_to_year || ')'
    from short_named o join short_named n
      on n.valid_from_year = o.valid_to_year and n.code <> o.code
     and left(n.code, 2) = left(o.code, 2) and n.level_zh = o.level_zh
     and n.short_name = o.short_name)
select old_code, new_code, year, min(via) as via
from (select * from listed union all select * from by_event
      union all select * from by_short_name)
where old_code <> new_code and regexp_full_match(new_code, '{CITY_CODE_REGEX}')
group by all
"""


@dataclass(frozen=True)
class CodeSpan:
    """One record of one code: its name and level in the lists ``valid_from`` ..
    ``valid_to`` (exclusive; None = still in force)."""

    code: str
    name: str
    level_zh: str
    valid_from: int
    valid_to: int | None

    def in_force_during(self, year: int) -> bool:
        # A unit abolished in December still has figures for that year (names.NameSpan).
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


@dataclass(frozen=True)
class Link:
    old_code: str
    new_code: str
    year: int  # the first year-end list without the old code
    via: str


@dataclass(frozen=True)
class Succession:
    """A printed code (or former name) resolved to the code of the same place in force in
    the data year; ``chain`` is each step, for the warning."""

    code: str
    name: str
    chain: tuple[Link, ...]

    def explained(self, history: CodeHistory) -> str:
        steps = "; ".join(
            f"{link.old_code} {history.name_of(link.old_code)} left the code lists in "
            f"{link.year}, succeeded by {link.new_code} {history.name_of(link.new_code)} "
            f"({link.via})" for link in self.chain)
        return steps


@dataclass(frozen=True)
class CodeHistory:
    """Every code's records and the succession links between them."""

    spans: dict[str, tuple[CodeSpan, ...]] = field(default_factory=dict)
    links: dict[str, tuple[Link, ...]] = field(default_factory=dict)  # by old code
    into: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)
    source: str = ""

    def __bool__(self) -> bool:
        return bool(self.spans)

    @classmethod
    def from_rows(cls, spans: list[CodeSpan], links: list[Link], source: str) -> CodeHistory:
        by_code: dict[str, list[CodeSpan]] = defaultdict(list)
        for span in spans:
            by_code[span.code].append(span)
        by_old: dict[str, list[Link]] = defaultdict(list)
        into: dict[tuple[str, int], set[str]] = defaultdict(set)
        for link in links:
            by_old[link.old_code].append(link)
            into[(link.new_code, link.year)].add(link.old_code)
        return cls({k: tuple(v) for k, v in by_code.items()},
                   {k: tuple(sorted(v, key=lambda x: x.new_code)) for k, v in by_old.items()},
                   {k: frozenset(v) for k, v in into.items()}, source)

    def valid_in(self, code: str, year: int) -> bool:
        return any(span.in_force_during(year) for span in self.spans.get(code, ()))

    def names_of(self, code: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(span.name for span in self.spans.get(code, ())))

    def name_of(self, code: str) -> str:
        """The code's latest name ('' when unknown)."""
        spans = sorted(self.spans.get(code, ()), key=lambda s: s.valid_from)
        return spans[-1].name if spans else ""

    def retired_in(self, code: str) -> int | None:
        """The first year-end list without ``code`` (None: in force, or unknown)."""
        spans = self.spans.get(code, ())
        if not spans or any(span.valid_to is None for span in spans):
            return None
        return max(span.valid_to for span in spans if span.valid_to is not None)

    def successor(self, code: str, year: int) -> Succession | str:
        """The code of the same place in force in data ``year``, for a ``code`` retired
        before it; else the sentence saying why there is none (split, merger, none)."""
        chain: list[Link] = []
        current = code
        for _ in range(MAX_CHAIN):
            links = self.links.get(current, ())
            retired = self.retired_in(current)
            if not links:
                return (f"{current} {self.name_of(current)} left the code lists in {retired} "
                        "and neither the code records nor the change events name a successor")
            if len({link.new_code for link in links}) > 1:
                listed = ", ".join(f"{link.new_code} {self.name_of(link.new_code)}"
                                   for link in links)
                return (f"{current} {self.name_of(current)} left the code lists in {retired}, "
                        f"split among {listed}: a row cannot stand for one of them")
            link = links[0]
            created = min((s.valid_from for s in self.spans.get(link.new_code, ())),
                          default=None)
            if created is not None and created < link.year:
                return (f"{current} {self.name_of(current)} left the code lists in "
                        f"{link.year}, absorbed by {link.new_code} "
                        f"{self.name_of(link.new_code)}, which existed before "
                        f"({link.via}): its figures are not that unit's")
            merged = self.into.get((link.new_code, link.year), frozenset()) - {current}
            if merged:
                others = ", ".join(f"{other} {self.name_of(other)}" for other in sorted(merged))
                return (f"{current} {self.name_of(current)} and {others} were merged into "
                        f"{link.new_code} {self.name_of(link.new_code)} in {link.year}: "
                        "one of them cannot stand for the merged unit")
            chain.append(link)
            current = link.new_code
            if self.valid_in(current, year):
                return Succession(current, self.name_of(current), tuple(chain))
        return f"{code}: the chain of successors is longer than {MAX_CHAIN} steps"


def code_history_of(connection, records: list[tuple], seeds: Path) -> CodeHistory:
    """The code history of the writer's database (``connection``): its
    :func:`~citytiers.parse.normalize.names.latest_code_records` and the succession links from
    them and
    every change-event release in force (``raw.admin_change_events`` is declared with the
    records, in raw_schema.sql); empty when no code records are loaded."""
    if not records:
        return CodeHistory()
    links = connection.execute(
        _LINKS_SQL.replace("{seed}", str(seeds / "admin_event_types.csv"))).fetchall()
    source = f"the loaded code records, release {records[0][5][:12]}"
    return CodeHistory.from_rows(
        [CodeSpan(code, name, level, start, end)
         for code, name, level, start, end, _ in records],
        [Link(old, new, year, via) for old, new, year, via in links], source)
