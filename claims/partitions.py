"""Service lines partitioned by month of service (PostgreSQL declarative partitioning).

`claims_serviceline` is a table partitioned by RANGE (service_date): one partition a month
(`claims_serviceline_y2026m12`), `claims_serviceline_p0` below the first month (the rows that
existed when the table was partitioned, attached without a rewrite) and a default partition for a
date outside every month (normally empty). Its primary key is (id, service_date) — the partition key
must be in every unique key — and the register's uniqueness is (clinic, register, line, service
date). A line number used again in another month is still refused: the register import reads the
clinic's loaded line numbers of that register, whatever their month, with the clinic row locked
(claims.registers._Loader).

Appeals, co-pay charge lines and refunds point at a line by (service_line_id, service_line_date):
a trigger fills the date from the line, and a foreign key on both columns, MATCH FULL, written in
the migration's SQL, keeps their integrity in the database (Django's ForeignKey cannot name a
composite key; it keeps db_constraint=False there).

SQLite (`make run`) keeps a plain table: every function here does nothing on it.
"""

from __future__ import annotations

import datetime

from django.db import connection

TABLE = "claims_serviceline"
MONTHS_AHEAD = 12
# An empty table is partitioned from a year back: the months a clinic's register may still bring
# (a line older than that goes to p0, below the first month). Every month more is a partition
# more that a read of a person's whole history plans (~70 µs each, `make bench`), empty or not:
# 60 months back had 48 empty ones in front of a year of lines.
MONTHS_BACK_ON_EMPTY = 12


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def month_partition_sql(month: datetime.date) -> str:
    following = add_months(month, 1)
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
    )


def is_partitioned(cursor=None) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as own:
        (cursor or own).execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)",
            [TABLE],
        )
        return (cursor or own).fetchone()[0]


def months_covered() -> list[datetime.date]:
    """The months that have a partition of their own, in order."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE pg_inherits.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{TABLE}_y"
    return sorted(
        datetime.date(int(name[len(prefix) : len(prefix) + 4]), int(name[-2:]), 1)
        for name in names
        if name.startswith(prefix)
    )


def partitions_ahead_ensure(*, today: datetime.date, months: int = MONTHS_AHEAD) -> list[str]:
    """Create the monthly partitions from this month to `months` ahead that are missing (beat
    runs it daily; a second run creates nothing). Returns the names created."""
    if not is_partitioned():
        return []
    have = set(months_covered())
    created = []
    with connection.cursor() as cursor:
        for step in range(months + 1):
            month = add_months(month_start(today), step)
            if month in have or (have and month < min(have)):
                continue
            cursor.execute(month_partition_sql(month))
            created.append(partition_name(month))
    return created
