-- The run history (warehouse/history.duckdb): one database file of its own, written only
-- by the nightly report task (in the writer pool), so that the quality report, `citytiers
-- status` and analysts can read it while a night runs (the writer's database is locked
-- then; the published one is replaced every night and read-only). A run recorded again
-- (a cleared and re-run DAG run) replaces its rows.
create schema if not exists audit;

create table if not exists audit.runs (
    run_id                   varchar primary key,
    logical_date             varchar,
    recorded_at              timestamptz not null,
    state                    varchar not null,  -- clean | degraded | failed | unchanged
    summary                  varchar not null,  -- the audit's verdict, in words
    loaded                   integer not null,  -- releases loaded this run
    quarantined              integer not null,  -- ... quarantined at the gates
    skipped                  integer not null,  -- ... already loaded
    quarantined_after_audit  integer not null,  -- ... quarantined by the mart audit
    withdrawn                integer not null,  -- ... withdrawn by hand since the last run
    releases_in_force        integer not null,  -- in the published database after the run
    observations             bigint  not null,
    synthetic_in_force       boolean not null,  -- the published marts include samples
    official_in_force        boolean not null   -- ... and releases that are not samples
);

-- Every release the run touched: loaded, skipped, quarantined (at the gates or after the
-- audit), and withdrawn or restored by hand since the previous run.
create table if not exists audit.run_releases (
    run_id        varchar not null,
    release_id    varchar not null,
    file_name     varchar,
    status        varchar not null,  -- loaded | skipped | quarantined | quarantined_after_audit | withdrawn | restored | accepted
    reason        varchar,
    warnings      varchar[],
    is_synthetic  boolean,
    stored_path   varchar
);
-- The release's problems and warnings row by row (citytiers.findings), as JSON.
alter table audit.run_releases add column if not exists findings varchar;

-- One GX validation: a raw suite on a release (target: the file) or a mart suite on the
-- audited candidate (target: the mart).
create table if not exists audit.run_checks (
    run_id          varchar not null,
    target          varchar not null,
    suite           varchar not null,
    success         boolean not null,
    evaluated       integer not null,
    failed_count    integer not null,
    first_failures  varchar[],
    warnings        varchar[],
    docs_page       varchar           -- its GX Data Docs page (file: URL)
);
-- GX's own description of each failure (the technical detail behind the sentences).
alter table audit.run_checks add column if not exists technical varchar[];

create table if not exists audit.run_dbt_tests (
    run_id    varchar not null,
    name      varchar not null,
    status    varchar not null,  -- pass | warn | fail | error | skipped
    failures  bigint,
    message   varchar
);

-- Per publisher: its latest release in force against the cadence seed
-- (seeds/publisher_cadence.csv), as of the run's logical date.
create table if not exists audit.run_freshness (
    run_id               varchar not null,
    publisher            varchar not null,
    releases             integer not null,
    latest_published_on  date,
    age_days             integer,
    expected_every_days  integer not null,
    cadence              varchar not null,  -- what the seed says the cadence is
    is_overdue           boolean not null
);

-- The largest revisions the run's loaded releases made to figures already published.
create table if not exists audit.run_revisions (
    run_id              varchar not null,
    file_name           varchar not null,
    city_code           varchar not null,
    city_name           varchar,
    data_year           integer not null,
    indicator_code      varchar not null,
    scope               varchar,
    previous_value      double,
    value               double,
    revision_pct        double,
    previous_file_name  varchar
);

-- The night's wholesale revisions (marts.rpt_release_revision_summary, is_wholesale):
-- releases that materially revised more than var revision_wholesale_share of the cities
-- they republished, nationally ('release') or in a province.
create table if not exists audit.run_wholesale_revisions (
    run_id                     varchar not null,
    summary_level              varchar not null,
    file_name                  varchar not null,
    indicator_code             varchar not null,
    province_name              varchar,
    cities_republished         integer,
    cities_revised_materially  integer,
    max_abs_revision_pct       double
);
