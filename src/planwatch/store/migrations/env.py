"""Alembic environment: the engine comes from :func:`planwatch.store.migrate.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from planwatch.store.migrate import include_name
from planwatch.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only when run by hand
    raise RuntimeError("run migrations through planwatch.store.migrate.upgrade(engine)")

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    assert driver is not None  # a live connection, just opened
    if sqlite:  # batch mode drops and copies tables others refer to: checks wait until the end
        driver.execute("PRAGMA foreign_keys=OFF")  # outside the transaction, where the pragma counts
    # SQLite cannot ALTER most things in place: batch mode copies the table instead.
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=sqlite, compare_type=True,
                      include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if sqlite:
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        driver.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
