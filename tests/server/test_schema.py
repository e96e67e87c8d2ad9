"""The migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from aifilm.server.db import head_revision, make_engine
from aifilm.server.models import Base


def test_migrations_match_models(db_url: str) -> None:
    engine = make_engine(db_url) if db_url.startswith("sqlite") else create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
