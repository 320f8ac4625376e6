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
