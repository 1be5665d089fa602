"""Running totals of the settled incidents for /metrics (services/metrics/rollups.py).

Kept by triggers on `incidents` in the transaction of every write (migration
0019_metric_rollups), so they are never behind. Each settled incident counts in eight
`metric_rollups` rows: its UTC day of creation and the whole history ('') by its service and
every service (0) by its severity and every severity (''); `resolved` counts by the UTC day of
resolution instead. `metric_rollup_buckets` holds its durations, whole history only, in the
sketch's buckets (services/metrics/sketch.py) by the same service and severity keys, and
again in coarse groups of buckets (tier 1), so a percentile reads a few groups and then one
group's buckets rather than every bucket.
"""

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

ZERO = text("0")


class MetricRollup(Base):
    __tablename__ = "metric_rollups"
    # The days of a service or severity (or of every one): the answer's daily figures.
    __table_args__ = (Index(None, "service_id", "severity", "day"),)

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # 'YYYY-MM-DD', '' = all
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    severity: Mapped[str] = mapped_column(String(8), primary_key=True)
    incident_count: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    # Per measure (measures.MEASURES): how many reached it, and their durations' sum (ms).
    ack_count: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    ack_sum_ms: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    mitigate_count: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    mitigate_sum_ms: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    res_count: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    res_sum_ms: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    breached_count: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    known_count: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    resolved: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)


class MetricRollupBucket(Base):
    __tablename__ = "metric_rollup_buckets"

    tier: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)  # 0, 1: coarse
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    severity: Mapped[str] = mapped_column(String(8), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
    sum_ms: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
