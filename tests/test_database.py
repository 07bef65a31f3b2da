"""SQLite's write lock (kampung/database.py): held from a transaction's first write to its end."""

import fcntl
import os

import sqlalchemy as sa

import kampung.database  # noqa: F401  (installs the SQLite connection hooks)


def lock_is_free(path) -> bool:
    """What another gunicorn worker would find: a second open file, asking without waiting."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_a_write_holds_the_lock_until_commit_or_rollback_and_a_read_never_takes_it(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'kampung.db'}")
    lock = tmp_path / "kampung.db.writelock"
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA synchronous")).scalar() == 2  # FULL
        conn.execute(sa.text("CREATE TABLE hit (id INTEGER PRIMARY KEY)"))
        conn.commit()
        conn.execute(sa.text("SELECT count(*) FROM hit")).scalar()
        assert lock_is_free(lock)
        conn.execute(sa.text("INSERT INTO hit DEFAULT VALUES"))
        assert not lock_is_free(lock)
        conn.commit()
        assert lock_is_free(lock)
        conn.execute(sa.text("UPDATE hit SET id = 2"))
        assert not lock_is_free(lock)
        conn.rollback()
        assert lock_is_free(lock)
        conn.execute(sa.text("DELETE FROM hit"))
    # A connection given back to the pool mid-transaction is rolled back: the lock goes too.
    assert lock_is_free(lock)
    engine.dispose()
