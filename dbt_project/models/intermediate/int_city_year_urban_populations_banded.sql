-- One row per (city_code, data_year, basis) with an urban-area population figure
-- (indicator population_urban_area, scope urban_area, latest vintage): the State Council
-- 2014 city-size class (国发〔2014〕51号) from seeds/size_bands.csv, lower bound inclusive,
-- upper bound exclusive. Every basis is kept (census 城区 and yearbook 城区 side by side);
-- `size_class_priority` says which one the tier marts prefer. Names: the city row
-- (int_cities_classified, the rows of dim_city) valid in the data year.
-- The computation of mart_city_size_class, kept in the intermediate layer so that
-- int_city_year_size_classes and int_county_level_city_years_to_tier never read a mart.

with int_observations_ranked as (

    select * from {{ ref('int_observations_ranked') }}

),

int_cities_classified as (

    select * from {{ ref('int_cities_classified') }}

),

population_bases as (

    select * from {{ ref('population_bases') }}

),

size_bands as (

    select * from {{ ref('size_bands') }}

),

urban_populations as (

    select * from int_observations_ranked
    where vintage_rank = 1
        and indicator_code = 'population_urban_area'
        and scope = 'urban_area'

),

urban_populations_banded as (

    select
        urban_populations.city_code,
        int_cities_classified.city_name,
        int_cities_classified.province_code,
        int_cities_classified.province_name,
        urban_populations.data_year,
        urban_populations.basis,
        population_bases.name_en as basis_name_en,
        population_bases.name_zh as basis_name_zh,
        population_bases.size_class_priority,
        urban_populations.value as urban_population_persons,
        size_bands.size_class,
        size_bands.band_order as size_class_order,
        size_bands.name_zh as size_class_name_zh,
        size_bands.name_en as size_class_name_en,
        urban_populations.release_id,
        urban_populations.publisher,
        urban_populations.published_on,
        urban_populations.is_synthetic,
        urban_populations.file_name,
        urban_populations.source_sheet,
        urban_populations.source_row,
        urban_populations.source_column,
        urban_populations.value_raw,
        urban_populations.unit_raw
    from urban_populations
    left join int_cities_classified
        on urban_populations.city_code = int_cities_classified.city_code
        and {{ valid_in_data_year('int_cities_classified', 'urban_populations.data_year') }}
    left join population_bases
        on urban_populations.basis = population_bases.basis_code
    left join size_bands
        on urban_populations.value >= size_bands.lower_bound_persons
        and (
            size_bands.upper_bound_persons is null
            or urban_populations.value < size_bands.upper_bound_persons
        )

)

select * from urban_populations_banded
