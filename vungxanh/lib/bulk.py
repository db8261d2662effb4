"""Set-based writes for the hot paths: many rows in one statement stream, no per-row save.

PostgreSQL gets COPY; other databases get one prepared INSERT run with executemany.
Both run inside the caller's transaction, so a failed or killed import leaves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models

CHUNK = 5000


def columns_of(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(f).column for f in fields]


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``) and return how many."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns_of(model, fields))
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
        batch: list[Sequence] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def copy_binary(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """PostgreSQL only: COPY ``rows`` in binary (no text escaping of bytea); return how many.

    Values are given as the database takes them in binary: a list or dict for a JSON
    column (not its text), bytes for binary columns.
    """
    found = [model._meta.get_field(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in found)
    count = 0
    sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.set_types([f.db_type(connection) for f in found])
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
