"""The Alembic migrations and the ORM models describe the same schema."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from scrutiny_desktop.storage import FORMAT_VERSION, migrate
from scrutiny_desktop.storage.models import Base


def test_migrating_an_empty_file_to_head_gives_exactly_the_models(tmp_path):
    """A document made by migrations and one made from the models cannot drift apart,
    so old documents upgraded by Alembic look like new ones."""
    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    try:
        with engine.begin() as conn:
            command.upgrade(migrate.alembic_config(conn), "head")
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()


def test_format_version_is_the_alembic_head():
    """The format number the app writes is the newest migration's number."""
    assert migrate.head_format() == FORMAT_VERSION
