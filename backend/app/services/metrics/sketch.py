"""The percentile sketch of the metric rollups: durations counted in logarithmic buckets.

A duration of v whole milliseconds up to LINEAR has a bucket of its own (index v: exact); a
longer one falls in the logarithmic bucket j = ceil(log_GAMMA(v)), the range
(GAMMA^(j-1), GAMMA^j], stored at index LINEAR + 1 + j - FIRST_LOG (a negative duration, which
the API never produces, in NEGATIVE). Below LINEAR the rounding to whole milliseconds would
cost more than the buckets' own error (a value of 60 ms reported as 61 is 1.7% off). Counts per bucket
merge by addition, so rollups of settled incidents and the live unsettled ones add up, and
an incident leaving the rollups (reopened, re-triaged) is subtracted. The nearest-rank value
is then known to its bucket, reported as the bucket's one value when it holds one incident,
else as the point 2 GAMMA^j / (GAMMA + 1), within ALPHA relative of every value in the bucket
(DDSketch's guarantee), to the millisecond: under 1% in all (tests/unit/test_metric_sketch.py).

Each bucket also keeps the sum of its durations (so a lone value is exact, and means stay
exact from the rollups' own sums). The bucket index is computed by the database, by the one
expression `log_bucket` below, for the rollups (triggers and rebuild) and the live incidents.
"""

import math
from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

ALPHA = 0.0095  # under 1% with the rounding to the millisecond
GAMMA = (1 + ALPHA) / (1 - ALPHA)
LN_GAMMA = math.log(GAMMA)
LINEAR = 1024
FIRST_LOG = math.ceil(math.log(LINEAR) / LN_GAMMA)
NEGATIVE = -1
# Buckets are also counted in groups of COARSE (tier 1: index // COARSE, NEGATIVE in group 0):
# the nearest rank is found among a few coarse groups, then among one group's buckets.
COARSE = 64


def bucket(ms: int) -> int:
    """The bucket of a duration, as the database computes it (log_bucket)."""
    if ms <= LINEAR:
        return max(ms, NEGATIVE)
    return LINEAR + 1 + math.ceil(math.log(ms) / LN_GAMMA) - FIRST_LOG


def value_ms(index: int, count: int, sum_ms: int) -> int:
    """The reported value of the nearest-rank bucket: exact when it holds one duration or
    one value of its own, else the point within ALPHA of all the bucket's values."""
    if count == 1 or index <= NEGATIVE:
        return round(sum_ms / count)
    if index <= LINEAR:
        return index
    j = index - LINEAR - 1 + FIRST_LOG
    return max(LINEAR + 1, round(2 * GAMMA ** j / (GAMMA + 1)))


class log_bucket(FunctionElement[int]):
    """The bucket of a whole-millisecond duration as SQL (NULL for NULL)."""

    type = Integer()
    inherit_cache = True


@compiles(log_bucket, "sqlite")
def _bucket_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    ms = compiler.process(element.clauses, **kw)
    return (f"(CASE WHEN {ms} < 0 THEN {NEGATIVE} WHEN {ms} <= {LINEAR} THEN {ms} "
            f"ELSE {LINEAR + 1 - FIRST_LOG} + CAST(ceil(ln({ms}) / {LN_GAMMA!r}) AS INTEGER) END)")


@compiles(log_bucket, "postgresql")
def _bucket_pg(element: Any, compiler: Any, **kw: Any) -> str:
    ms = compiler.process(element.clauses, **kw)
    return (f"(CASE WHEN {ms} < 0 THEN {NEGATIVE} WHEN {ms} <= {LINEAR} THEN ({ms})::int "
            f"ELSE {LINEAR + 1 - FIRST_LOG} + ceil(ln(({ms})::float8) / {LN_GAMMA!r})::int END)")
