"""Validation rules, declared once: a polars predicate that quarantines failing rows, and the same rule
as a Great Expectations expectation that the loaded batch must then meet (plus table-level checks).

Great Expectations takes seconds to import, so a rule holds its expectation's class name and arguments, and
GX is imported (and the expectations built) only when a suite runs: commands that run none never load it."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from pipelines.readers import FILE, LINE, QUARANTINE_COLUMNS

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # read when GX is imported
logging.getLogger("great_expectations").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Expectation:
    """A GX expectation to build when a suite runs: the class name in `great_expectations.expectations`
    and its arguments."""

    name: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    """One check of one column: `valid` is True where a row passes."""

    column: str
    reason: str
    valid: pl.Expr
    expectation: Expectation | None


def required(column: str) -> Rule:
    valid = pl.col(column).is_not_null() & (pl.col(column).cast(pl.String).str.strip_chars() != "")
    return Rule(
        column,
        "required value is missing",
        valid.fill_null(False),
        Expectation("ExpectColumnValuesToNotBeNull", {"column": column}),
    )


def one_of(column: str, values: Sequence[str], what: str) -> Rule:
    valid = pl.col(column).is_null() | pl.col(column).is_in(list(values))
    return Rule(
        column,
        f"unknown {what}",
        valid,
        Expectation("ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(values)}),
    )


def between(column: str, low: float | None, high: float | None) -> Rule:
    valid = pl.col(column).is_null()
    bounds = pl.lit(True)
    if low is not None:
        bounds = bounds & (pl.col(column) >= low)
    if high is not None:
        bounds = bounds & (pl.col(column) <= high)
    return Rule(
        column,
        f"value outside [{low}, {high}]",
        (valid | bounds).fill_null(False),
        Expectation("ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high}),
    )


def matches(column: str, pattern: str, what: str) -> Rule:
    valid = pl.col(column).is_null() | pl.col(column).str.contains(pattern)
    return Rule(
        column,
        f"not {what}",
        valid,
        Expectation("ExpectColumnValuesToMatchRegex", {"column": column, "regex": pattern}),
    )


def parses(column: str, raw: pl.Expr, what: str) -> Rule:
    """The typed `column` came out null although the raw text had a value: a parse failure."""
    raw_present = raw.is_not_null() & (raw.cast(pl.String).str.strip_chars() != "")
    return Rule(column, f"cannot parse as {what}", ~(pl.col(column).is_null() & raw_present), None)


def unique(column: str) -> Rule:
    """Later repeats of a key are quarantined; the first occurrence is kept."""
    valid = pl.col(column).is_null() | pl.col(column).is_first_distinct()
    return Rule(
        column,
        "duplicate key (an earlier row of this file has it)",
        valid,
        Expectation("ExpectColumnValuesToBeUnique", {"column": column}),
    )


def rejected_rows(frame: pl.DataFrame, rules: Sequence[Rule], raw_columns: Sequence[str]) -> pl.DataFrame:
    """One quarantine row per failing (row, rule): file, line, field, reason, raw (JSON of the raw columns)."""
    keep = [c for c in raw_columns if c in frame.columns]
    parts = []
    for rule in rules:
        bad = frame.filter(~rule.valid)
        if bad.height:
            parts.append(
                bad.select(
                    pl.col(FILE).alias("file"),
                    pl.col(LINE).alias("line"),
                    pl.lit(rule.column).alias("field"),
                    pl.lit(rule.reason).alias("reason"),
                    pl.struct([pl.col(c).cast(pl.String) for c in keep]).struct.json_encode().alias("raw")
                    if keep
                    else pl.lit(None, pl.String).alias("raw"),
                )
            )
    if not parts:
        return pl.DataFrame(schema=QUARANTINE_COLUMNS)
    return pl.concat(parts).cast(QUARANTINE_COLUMNS)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    failed: int
    result_json: str


def suite_result(name: str, frame: pl.DataFrame, rules: Sequence[Rule], min_rows: int = 0) -> SuiteResult:
    """Run the GX suite of `rules` (and the table's volume) on the rows about to be loaded."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (
        context.data_sources.add_pandas(f"{name}_source")
        .add_dataframe_asset(name=f"{name}_rows")
        .add_batch_definition_whole_dataframe(f"{name}_batch")
    )
    suite = gx.ExpectationSuite(name=name)
    suite.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(min_value=min_rows))
    columns = sorted({rule.column for rule in rules})
    for rule in rules:
        if rule.expectation is not None:
            suite.add_expectation(getattr(gx.expectations, rule.expectation.name)(**rule.expectation.arguments))
    subset = frame.select(columns) if columns else frame.select(pl.len().alias("rows"))
    batch = batch_definition.get_batch(batch_parameters={"dataframe": subset.to_pandas()})
    result = batch.validate(suite, result_format="SUMMARY")
    stats: dict[str, Any] = result.statistics
    return SuiteResult(
        suite=name,
        success=bool(result.success),
        evaluated=int(stats["evaluated_expectations"]),
        failed=int(stats["unsuccessful_expectations"]),
        result_json=json.dumps(result.to_json_dict(), default=str),
    )
