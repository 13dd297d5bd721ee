"""Schema versions with Alembic, mirrored in ``PRAGMA user_version``.

Revisions are named ``0001``, ``0002``...; the number is the document format
version that ``user_version`` carries, so the format can be read from the file
header without running SQL.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from scrutiny_desktop import paths
from scrutiny_desktop.atomic import atomic_path
from scrutiny_desktop.storage.sqlite import connect, engine_url
from scrutiny_desktop.text import stamp_for_name


def alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or "0000"


def head_format() -> int:
    return int(head_revision())


def _mirror_user_version(connection) -> None:
    rev = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    connection.exec_driver_sql(f"PRAGMA user_version = {int(rev)}")


def stamp_head(engine: Engine) -> None:
    with engine.begin() as connection:
        command.stamp(alembic_config(connection), "head")
        _mirror_user_version(connection)


def backup_copy(path: Path, format_version: int, passphrase: str | None = None) -> Path:
    """Copy a document aside with the SQLite backup API before migrating it.

    The copy is made under a temporary name and takes its name only when complete
    (:func:`scrutiny_desktop.atomic.atomic_path`), so a half-made backup is never left.
    """
    stamp = stamp_for_name()
    target = path.with_name(f"{path.stem}.format{format_version}-backup-{stamp}{path.suffix}")
    with atomic_path(target, overwrite=False, tag="backup") as tmp:
        src = connect(path.resolve().as_uri() + "?mode=ro", uri=True, passphrase=passphrase)
        try:
            dst = connect(tmp, passphrase=passphrase)  # encrypted like the original
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    return target


def upgrade(path: Path, passphrase: str | None = None) -> None:
    engine = create_engine(
        engine_url(passphrase),
        creator=lambda: connect(path, isolation_level=None, passphrase=passphrase),
    )
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            command.upgrade(alembic_config(connection), "head")
            _mirror_user_version(connection)
    finally:
        engine.dispose()
