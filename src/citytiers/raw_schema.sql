-- The raw layer: append-only, one row per release attempt and one row per observed cell.
-- Rows are never updated or deleted; "latest" is derived in dbt (int_/fct_ models).
create schema if not exists raw;

create table if not exists raw.releases (
    release_id          varchar   not null,  -- sha256 of the data file's bytes (hex)
    status              varchar   not null,  -- 'loaded' | 'quarantined'
    sidecar_sha256      varchar,             -- sha256 of <file>.release.yml, null if absent
    file_name           varchar   not null,  -- original file name as it arrived
    source_path         varchar   not null,  -- where it was found
    stored_path         varchar,             -- archive/... (loaded) or quarantine/... path
    file_format         varchar,             -- 'tidy_csv' | 'yearbook_table'
    publisher           varchar,
    title               varchar,
    edition_year        integer,
    data_years          varchar,             -- JSON list of ints, e.g. [2021]
    published_on        date,
    source_url          varchar,
    license             varchar,
    is_synthetic        boolean   not null,
    metadata_json       varchar   not null,  -- the full metadata as JSON (sidecar + inferred)
    observation_count   integer   not null,
    record_count        integer   not null default 0,  -- rows in the reference raw tables
    reason              varchar,             -- why it was quarantined (null when loaded)
    run_id              varchar,             -- Airflow run that processed it
    processed_at        timestamp not null
);

create table if not exists raw.observations (
    release_id          varchar   not null,  -- -> raw.releases.release_id (status 'loaded')
    observation_seq     integer   not null,  -- 1..n within the release, in file order
    city_code           varchar   not null,  -- 6-digit GB/T 2260 code
    city_name_raw       varchar   not null,  -- the name exactly as printed
    scope               varchar   not null,  -- 'whole_city' | 'urban_districts' | 'urban_area'
    indicator_code      varchar   not null,  -- see seeds/indicators.csv
    data_year           integer   not null,
    value               double    not null,  -- in base_unit
    base_unit           varchar   not null,  -- 'yuan' | 'persons' | 'percent'
    value_raw           varchar   not null,  -- the cell text as printed
    unit_raw            varchar   not null,  -- the unit as printed (万元, 亿元, 万人, ...)
    source_sheet        varchar,             -- sheet name (null for CSV)
    source_row          integer   not null,  -- 1-based row in the file/sheet
    source_column       varchar   not null,  -- spreadsheet column letter (A, B, ..., AA)
    raw_header          varchar   not null,  -- header cells above the value, joined with ' / '
    basis               varchar   not null   -- measurement basis, see seeds/population_bases.csv
);

-- Upgrades of warehouses created before a column existed (no-ops on new ones).
alter table raw.observations add column if not exists basis varchar default 'reported';
alter table raw.releases add column if not exists record_count integer default 0;
-- yearbook | communique | preliminary | census_revision (citytiers.release_order): what
-- the release is, which decides a same-day tie; null for releases loaded before it existed.
alter table raw.releases add column if not exists release_kind varchar;
-- The code as printed, where it is not city_code: a retired code re-coded to its successor
-- of the same place (citytiers.code_resolution); null when the printed code is city_code.
alter table raw.observations add column if not exists city_code_printed varchar;

-- What the checks found in each release attempt, row by row (citytiers.findings): the
-- problems that quarantined it and the warnings it loaded with. Written with the attempt.
create table if not exists raw.release_findings (
    release_id          varchar   not null,  -- -> raw.releases.release_id
    record_seq          integer   not null,  -- 1..n within the attempt
    severity            varchar   not null,  -- 'problem' | 'warning'
    check_name          varchar   not null,  -- the gate, suite or parse step that found it
    source_sheet        varchar,
    source_row          integer,
    source_column       varchar,
    city_code           varchar,
    city_name_raw       varchar,
    data_year           integer,
    message             varchar   not null,  -- the finding in the steward's words
    processed_at        timestamp            -- the attempt (raw.releases.processed_at)
);

-- Reference releases: administrative codes and their changes (append-only like the rest).
create table if not exists raw.admin_code_snapshots (
    release_id          varchar   not null,  -- one year-end code list (annual/YYYY.txt)
    record_seq          integer   not null,
    snapshot_year       integer   not null,  -- codes in force on 31 December of this year
    code                varchar   not null,  -- 6-digit GB/T 2260 code
    name                varchar   not null,
    source_row          integer   not null
);

create table if not exists raw.admin_code_records (
    release_id          varchar   not null,  -- the record table (areacodes result.csv)
    record_seq          integer   not null,
    code                varchar   not null,
    province_name       varchar,             -- 一级行政区
    prefecture_name     varchar,             -- 二级行政区 ('直辖' for counties without one)
    name                varchar   not null,
    level_zh            varchar   not null,  -- 省级 / 地级 / 县级
    status_zh           varchar   not null,  -- 在用 / 变更 / 弃用
    valid_from_year     integer   not null,  -- first year-end list holding the record
    valid_to_year       integer,             -- first year-end list without it (exclusive)
    successor_codes     varchar,             -- 新代码 as printed: '420602[1984];420603'
    source_row          integer   not null
);

-- A census yearbook's own consistency (format census_yearbook, sidecar totals_column): one
-- row per prefecture-level row, its printed total against the coded county-level rows
-- nested under it. Figures as printed (the totals column's unit), not in base units.
create table if not exists raw.census_prefecture_totals (
    release_id          varchar   not null,  -- the census yearbook release
    record_seq          integer   not null,
    prefecture_code     varchar   not null,  -- 6-digit code as printed (XXXX00)
    prefecture_name     varchar   not null,  -- without its indentation
    printed_total       double    not null,  -- the prefecture row's figure
    coded_county_sum    double    not null,  -- sum of its coded county-level rows' figures
    coded_county_count  integer   not null,
    difference          double    not null,  -- printed_total - coded_county_sum
    uncoded_unit_count  integer   not null,  -- rows under it without a code (加格达奇, 市辖区)
    uncoded_units       varchar,             -- those rows: name and figure as printed
    source_sheet        varchar,
    source_row          integer   not null,  -- the prefecture row (1-based)
    source_column       varchar   not null   -- the totals column (A, B, ...)
);

create table if not exists raw.admin_change_events (
    release_id          varchar   not null,  -- a change-event table (crosswalk events)
    record_seq          integer   not null,
    event_id            varchar   not null,
    event_year          integer   not null,
    province_name       varchar,
    old_name            varchar,             -- the unit before the change
    old_type            varchar,
    new_name            varchar,             -- the unit after it (null when dissolved)
    new_type            varchar,
    event_type          varchar   not null,  -- as printed (e.g. 撤销地级市并整体并入另一地级市)
    approval_date       date,
    document_number     varchar,             -- 批复文号, e.g. 国函〔2018〕163号
    confidence          varchar,
    description         varchar,
    source_row          integer   not null
);

-- What a steward or the audit decided about a loaded release after it loaded, one row per
-- decision (append-only like the rest: a restore is a new row, never a deletion). The
-- latest decision per release wins; see raw.release_states.
create table if not exists raw.release_state_changes (
    release_id          varchar   not null,  -- -> raw.releases.release_id
    change_seq          integer   not null,  -- 1, 2, ... over the whole table: the order
    action              varchar   not null,  -- 'withdraw' | 'restore' | 'accept' | 'quarantine_after_audit'
    reason              varchar   not null,  -- why, in the steward's or the audit's words
    changed_by          varchar   not null,  -- 'audit', or the user who ran the command
    run_id              varchar,             -- the run whose audit decided (null: by hand)
    changed_at          timestamp not null
);

-- Every release attempt with the state it is in now: the one rule, read by dbt
-- (stg_raw__releases) and by Python (discovery, gates, reports, the CLI) alike.
--   loaded                   its figures are in force
--   quarantined              refused at the gates, nothing of it was loaded
--   accepted                 refused at the gates, then accepted by a steward (`citytiers
--                            releases accept`): the next night loads it, its problems kept
--                            as findings; once loaded it is 'loaded' (in force)
--   quarantined_after_audit  loaded, then its rows failed the mart audit: not in force
--   withdrawn                taken out by a steward (`citytiers releases withdraw`)
-- A withdrawn or audit-quarantined release stays in raw (queryable) and counts as loaded
-- for discovery, so it is never loaded again; `citytiers releases restore` brings it back.
-- A state change applies to a quarantined attempt only when it came after that attempt (an
-- acceptance followed by another refusal leaves the release quarantined).
create or replace view raw.release_states as
with numbered_changes as (
    select release_id, action, reason, changed_by, run_id, changed_at,
           row_number() over (partition by release_id order by change_seq desc) as recency
    from raw.release_state_changes
),
latest_changes as (
    select * from numbered_changes where recency = 1
)
select
    releases.*,
    case
        when releases.status <> 'loaded' and latest_changes.action = 'accept' then 'accepted'
        when releases.status <> 'loaded' then releases.status
        when latest_changes.action = 'withdraw' then 'withdrawn'
        when latest_changes.action = 'quarantine_after_audit' then 'quarantined_after_audit'
        else 'loaded'
    end                                                     as state,
    releases.status = 'loaded'
        and coalesce(latest_changes.action, 'restore') in ('restore', 'accept') as in_force,
    latest_changes.reason                                   as state_reason,
    latest_changes.changed_by                               as state_changed_by,
    latest_changes.run_id                                   as state_run_id,
    latest_changes.changed_at                               as state_changed_at
from raw.releases as releases
left join latest_changes
    on latest_changes.release_id = releases.release_id
    and (releases.status = 'loaded' or latest_changes.changed_at >= releases.processed_at);
