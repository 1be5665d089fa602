"""The percentile sketch of the metric rollups (services/metrics/sketch.py) against the exact
nearest-rank value, on random data: within 1% relative, as the API documents."""

import math
import random
from collections import Counter

import pytest

from app.services.metrics.measures import PERCENTILES
from app.services.metrics.sketch import LINEAR, NEGATIVE, bucket, value_ms


def nearest_rank(values: list[int], num: int, den: int) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * num / den) - 1]


def from_sketch(values: list[int], num: int, den: int) -> int:
    """Walk the buckets as rollup_reads' SQL does: the first whose running count reaches
    ceil(p * n)."""
    counts, sums = Counter(bucket(v) for v in values), Counter()
    for v in values:
        sums[bucket(v)] += v
    running, total = 0, len(values)
    for index in sorted(counts):
        running += counts[index]
        if running * den >= total * num:
            return value_ms(index, counts[index], sums[index])
    raise AssertionError("no bucket reached the rank")


def draw(rnd: random.Random, shape: str) -> int:
    if shape == "exponential":
        return int(rnd.expovariate(1 / 600_000))
    if shape == "lognormal":
        return int(rnd.lognormvariate(11, 2.5))
    if shape == "small":
        return rnd.randrange(0, 3000)
    return rnd.choice([rnd.randrange(5000, 6000), rnd.randrange(10**8, 10**10)])


@pytest.mark.parametrize("shape", ["exponential", "lognormal", "small", "bimodal"])
def test_the_sketch_is_within_one_percent_of_the_nearest_rank(shape: str) -> None:
    rnd = random.Random(shape)
    for _ in range(200):
        values = [draw(rnd, shape) for _ in range(rnd.randrange(1, 400))]
        for _p, num, den in PERCENTILES:
            exact = nearest_rank(values, num, den)
            approx = from_sketch(values, num, den)
            assert abs(approx - exact) <= 0.01 * exact, (shape, exact, approx)


def test_every_value_of_a_bucket_is_within_one_percent_of_its_reported_value() -> None:
    seen: dict[int, list[int]] = {}
    for v in [*range(0, 200_000), *random.Random(7).sample(range(10**10), 50_000)]:
        seen.setdefault(bucket(v), []).append(v)
    for index, members in seen.items():
        reported = value_ms(index, 2, 0)
        assert all(abs(reported - v) <= 0.01 * v for v in members), (index, members[:3], reported)


def test_short_durations_and_lone_values_are_exact() -> None:
    assert [bucket(v) for v in (0, 1, 2, LINEAR)] == [0, 1, 2, LINEAR]
    assert bucket(LINEAR + 1) > LINEAR and bucket(-5) == NEGATIVE
    assert value_ms(bucket(123_456_789), 1, 123_456_789) == 123_456_789
    buckets = [bucket(v) for v in range(0, 10**6, 7)]
    assert buckets == sorted(buckets), "buckets keep the order of durations"
