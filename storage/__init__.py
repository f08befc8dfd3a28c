"""Persistence: SQLAlchemy models, repositories, the unit of work and migrations.

The composition root reaches storage through these names alone; the engine never does.
"""

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import Database, DatabaseUrlError
from storage.inbox_file import InboxFile
from storage.secrets import SecretKeyError
from storage.transfer import ImportSummary, TransferError

__all__ = [
    "AsyncEngine",
    "Database",
    "DatabaseUrlError",
    "ImportSummary",
    "InboxFile",
    "SecretKeyError",
    "TransferError",
]
