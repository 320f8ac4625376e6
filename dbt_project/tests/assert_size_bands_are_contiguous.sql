-- seeds/size_bands.csv covers [0, infinity) without gaps or overlaps: the lowest band
-- starts at 0, exactly one band is open-ended, and every other band's upper bound is the
-- next band's lower bound. Returns the offending bands.

with size_bands as (

    select * from {{ ref('size_bands') }}

),

bands_checked as (

    select
        size_bands.size_class,
        size_bands.lower_bound_persons,
        size_bands.upper_bound_persons,
        (select count(*) from size_bands as next_band
            where next_band.lower_bound_persons = size_bands.upper_bound_persons) as next_band_count,
        (select count(*) from size_bands as open_band
            where open_band.upper_bound_persons is null) as open_band_count,
        (select min(lowest.lower_bound_persons) from size_bands as lowest) as lowest_bound
    from size_bands

)

select * from bands_checked
where (upper_bound_persons is not null and next_band_count <> 1)
    or (upper_bound_persons is not null and upper_bound_persons <= lower_bound_persons)
    or open_band_count <> 1
    or lowest_bound <> 0
