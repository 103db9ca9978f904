"""Where documents' bytes are kept, behind a small interface (put / get / delete).

The one backend today keeps them in the database (`document_blobs`), so every server process shares
them without another service, and a document is written, purged or erased in the same transaction as
its row. Another backend (an object store) can come later by implementing `Storage`.
None of these commit: the caller's transaction does.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from sqlalchemy import delete, select

from .extensions import db
from .models import DocumentBlob, utcnow


class Storage(Protocol):
    """Keeps documents' bytes under keys it gives out."""

    def put(self, meeting_id: int, data: bytes) -> str:
        """Keep the bytes; returns their key."""
        ...

    def get(self, key: str) -> bytes | None:
        """The bytes kept under a key, or None."""
        ...

    def delete(self, key: str) -> None:
        """Forget the bytes under a key (nothing happens for an unknown key)."""
        ...


class DatabaseStorage:
    """Bytes in a LargeBinary column of `document_blobs`, one row per document."""

    def put(self, meeting_id: int, data: bytes) -> str:
        """Keep the bytes in the open transaction; returns a new random key."""
        key = secrets.token_hex(16)
        db.session.add(DocumentBlob(meeting_id=meeting_id, key=key, data=data, created_at=utcnow()))
        return key

    def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None."""
        return db.session.scalar(select(DocumentBlob.data).where(DocumentBlob.key == key))

    def delete(self, key: str) -> None:
        """Remove the bytes under `key` in the open transaction."""
        db.session.execute(delete(DocumentBlob).where(DocumentBlob.key == key))


def storage() -> Storage:
    """The configured storage (the database; the only backend so far)."""
    return DatabaseStorage()
