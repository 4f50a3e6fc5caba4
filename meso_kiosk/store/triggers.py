"""SQL the migrations share: triggers that keep a table's rows as written."""

from __future__ import annotations


def immutable(table: str, when: str, message: str) -> str:
    """Triggers that make rows of ``table`` matching ``when`` refuse UPDATE and DELETE."""
    return f"""
    CREATE TRIGGER {table}_immutable_update BEFORE UPDATE ON {table}
    WHEN {when.replace('{row}', 'old')}
    BEGIN SELECT RAISE(ABORT, '{message}'); END;
    CREATE TRIGGER {table}_immutable_delete BEFORE DELETE ON {table}
    WHEN {when.replace('{row}', 'old')}
    BEGIN SELECT RAISE(ABORT, '{message}'); END;
    """
