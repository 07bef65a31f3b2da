"""Fixed Core statements run straight on the database driver's cursor: the scan's hot path.

A scan runs four statements (who is signed in, the one read, one or two inserts). Through
SQLAlchemy's execution layer (cache key, parameter and result processing, result objects) they
cost more CPU than the databases themselves: about 0.3 ms of a 0.55 ms scan on SQLite and 0.6
of 1.0 ms on PostgreSQL, which kept check-in under half the bare write route's rate
(docs/PERFORMANCE.md). A DriverStatement is compiled once per dialect from the same Core
construct, so the SQL still comes from the models; it converts parameters and results with the
columns' own type processors, raises SQLAlchemy's exceptions, and tells the connection's
cursor-execute listeners (query counters, profilers) about each statement, so that callers and
tests see what Connection.execute() would have shown them. It runs on the request's one
connection (kampung.database.connection()), inside its unit of work. Everything else goes
through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.expression import ReturnsRows


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: the parameter names in order, for drivers with positional placeholders (SQLite's "?")
    order: tuple[str, ...] | None
    #: per parameter, the conversion its column's type makes (an aware datetime to UTC, ...)
    binds: dict[str, Callable[[Any], Any]]
    #: per result column, the conversion back, or None
    results: tuple[Callable[[Any], Any] | None, ...]
    #: the rows' type: a named tuple of the result columns
    row: type[tuple]


class DriverStatement:
    """A Core statement compiled once per dialect and run on the DB-API cursor of a Connection
    in a transaction (kampung.database.connection()). Parameters are given by name; an INSERT
    names its `columns`, and must be given a value for each (no column defaults are applied)."""

    def __init__(self, statement: ReturnsRows, columns: Sequence[str] | None = None):
        self.statement = statement
        self.columns = list(columns) if columns is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def first(self, connection: Connection, **params: Any) -> Any:
        """The first row, converted, as a named tuple; None when there is none (or when the
        statement returns no columns)."""
        rows = self._run(connection, params, fetch=1)
        return rows[0] if rows else None

    def all(self, connection: Connection, **params: Any) -> list[Any]:
        """Every row, converted, as named tuples."""
        return self._run(connection, params, fetch=-1)

    def execute(self, connection: Connection, **params: Any) -> None:
        self._run(connection, params, fetch=0)

    def _run(self, connection: Connection, params: dict, fetch: int) -> list[tuple]:
        if not connection.in_transaction():
            # The driver would begin a transaction that SQLAlchemy does not know of, and a
            # commit through SQLAlchemy would then do nothing.
            raise RuntimeError("DriverStatement needs a Connection in a transaction")
        dialect = connection.dialect
        compiled = self._compiled(dialect)
        named = dict(params)
        for name, convert in compiled.binds.items():
            named[name] = convert(named[name])
        values: dict[str, Any] | tuple[Any, ...] = named
        if compiled.order is not None:
            values = tuple(named[name] for name in compiled.order)
        sql = compiled.sql
        cursor = connection.connection.cursor()
        # Listeners are rare (tests, bench); the dispatch is skipped when there are none.
        listened = bool(connection.dispatch.before_cursor_execute) or bool(
            connection.dispatch.after_cursor_execute
        )
        try:
            if listened:
                for listener in connection.dispatch.before_cursor_execute:
                    sql, values = listener(connection, cursor, sql, values, None, False)
            cursor.execute(sql, values)
            rows: Sequence[Sequence[Any]]
            if not (fetch and compiled.results):
                rows = []
            else:
                rows = cursor.fetchall() if fetch < 0 else cursor.fetchmany(fetch)
            if listened:
                for listener in connection.dispatch.after_cursor_execute:
                    listener(connection, cursor, sql, values, None, False)
        except dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(
                sql, values, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        finally:
            cursor.close()
        return [_convert(row, compiled) for row in rows]

    def _compiled(self, dialect: Dialect) -> _Compiled:
        if (found := self._by_dialect.get(dialect.name)) is not None:
            return found
        compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
        binds: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            if not bind.required:
                # A value written into the statement (LIMIT 1) or a column default left out of
                # `columns`: the driver would get neither.
                raise ValueError(f"{name}: give it as a parameter (bindparam, or in columns)")
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                binds[name] = convert
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.exported_columns
        )
        positions = compiled.positiontup
        order = tuple(positions) if compiled.positional and positions is not None else None
        # The fields are known only when the statement is compiled, which mypy cannot check.
        row = namedtuple("Row", self.statement.exported_columns.keys())  # type: ignore[misc]
        found = _Compiled(str(compiled), order, binds, results, row)
        self._by_dialect[dialect.name] = found
        return found


def _convert(row: Sequence, compiled: _Compiled) -> tuple:
    results = compiled.results
    return compiled.row(*(v if f is None else f(v) for v, f in zip(row, results, strict=True)))
