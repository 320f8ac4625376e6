"""The expectation suites, one ``configure_*`` function per table they guard.

dbt tests keep the structural invariants (keys, relationships); these suites check
plausibility: shapes, codes, years, signs, units, duplicates. Thresholds come from the
seeds (indicator list, units) or from the constants below, which state why they are so.
"""

from __future__ import annotations

from typing import Any

from citytiers.dictionary import Dictionary

# The People's Republic's statistics start in 1949; nothing can describe a future year.
FIRST_PLAUSIBLE_YEAR = 1949
RAW_KEY = ["city_code", "data_year", "indicator_code", "scope"]
SCOPES = ["whole_city", "urban_districts", "urban_area"]
# A real growth rate outside this band is a typing error (or a unit error), not an economy.
REAL_GROWTH_PCT_RANGE = (-50.0, 100.0)
RAW_OBSERVATION_COLUMNS = [
    "city_code", "city_name_raw", "scope", "indicator_code", "data_year", "value",
    "base_unit", "value_raw", "unit_raw", "source_sheet", "source_row", "source_column",
    "raw_header", "basis",
]


def _non_negative_condition(dictionary: Dictionary) -> str:
    """A pandas row condition selecting indicators that can never be negative."""
    codes = sorted(code for code, ind in dictionary.indicators.items() if ind.is_non_negative)
    return "indicator_code.isin(" + repr(codes) + ")"


def configure_raw_observations(dictionary: Dictionary) -> Any:
    """Suite ``raw_observations``: every incoming release, before anything is loaded."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    low, high = REAL_GROWTH_PCT_RANGE
    return gx.ExpectationSuite(
        name="raw_observations",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectTableColumnsToMatchSet(column_set=RAW_OBSERVATION_COLUMNS, exact_match=True),
            gxe.ExpectColumnValuesToNotBeNull(column="city_code"),
            gxe.ExpectColumnValuesToMatchRegex(column="city_code", regex=r"^\d{6}$"),
            # A figure cannot describe a year after its own publication: the runner passes
            # the release's publication year as ``max_data_year``.
            gxe.ExpectColumnValuesToBeBetween(column="data_year", min_value=FIRST_PLAUSIBLE_YEAR,
                                              max_value={"$PARAMETER": "max_data_year"}),
            gxe.ExpectColumnValuesToBeInSet(column="indicator_code",
                                            value_set=sorted(dictionary.indicators)),
            gxe.ExpectColumnValuesToBeInSet(column="scope", value_set=SCOPES),
            gxe.ExpectColumnValuesToBeInSet(
                column="base_unit",
                value_set=sorted({ind.base_unit for ind in dictionary.indicators.values()})),
            gxe.ExpectColumnValuesToBeInSet(column="basis", value_set=sorted(dictionary.bases)),
            gxe.ExpectColumnValuesToNotBeNull(column="value"),
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=0, row_condition=_non_negative_condition(dictionary),
                condition_parser="pandas"),
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=low, max_value=high,
                row_condition='indicator_code=="gdp_growth_real_pct"', condition_parser="pandas"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=RAW_KEY),
        ],
    )


def configure_fct_city_indicator(dictionary: Dictionary) -> Any:
    """Suite ``fct_city_indicator``: the latest-vintage fact table after ``dbt build``."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="fct_city_indicator",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=RAW_KEY),
            gxe.ExpectColumnValuesToMatchRegex(column="city_code", regex=r"^\d{6}$"),
            gxe.ExpectColumnValuesToNotBeNull(column="release_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="value"),
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=0, row_condition=_non_negative_condition(dictionary),
                condition_parser="pandas"),
            gxe.ExpectColumnValuesToBeBetween(column="vintage_count", min_value=1),
            gxe.ExpectColumnValuesToBeInSet(column="scope", value_set=SCOPES),
        ],
    )


SUITES = {
    "raw_observations": configure_raw_observations,
    "fct_city_indicator": configure_fct_city_indicator,
}
