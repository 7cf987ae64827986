"""Files that come with a submission (photos), streamed to disk in chunks with a size cap and
kept once by their SHA-256: `<root>/ab/abcdef…`. A file is checked against its declared type
by its first bytes, so a script named photo.jpg is refused."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

CHUNK = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# What a phone may send with a report, by media type, with the bytes such a file starts with.
ACCEPTED_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}


class AttachmentRefused(ValueError):
    """A file sitroom will not keep; `too_large` tells 413 from 400."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True, slots=True)
class StoredFile:
    name: str
    media_type: str
    size: int
    sha256: str
    path: Path
    new: bool


def attachment_name(name: str) -> str:
    """The last part of the name a phone sent, never a path."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    if not base or base in (".", "..") or len(base) > 255:
        raise AttachmentRefused(f"{name[:80]!r} is not a file name sitroom can keep")
    return base


class AttachmentStore:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def receive(self, name: str, media_type: str, stream: BinaryIO) -> StoredFile:
        """Copy `stream` to the store, hashing as it goes; the partial file is removed if the
        stream is refused or breaks off."""
        name = attachment_name(name)
        media = media_type.split(";")[0].strip().lower()
        if media not in ACCEPTED_TYPES:
            accepted = ", ".join(sorted(ACCEPTED_TYPES))
            raise AttachmentRefused(f"{name}: {media or 'no type'} is not accepted ({accepted})")
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        partial = incoming / secrets.token_hex(16)
        digest, size = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
                first = b""
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise AttachmentRefused(
                            f"{name} is larger than {self.max_bytes} bytes", too_large=True
                        )
                    if not first:
                        first = chunk[:16]
                    digest.update(chunk)
                    out.write(chunk)
            if not first.startswith(ACCEPTED_TYPES[media]):
                raise AttachmentRefused(f"{name} does not hold the {media} it says it is")
            sha = digest.hexdigest()
            final = self.path_of(sha)
            new = not final.exists()
            if new:
                final.parent.mkdir(parents=True, exist_ok=True)
                partial.replace(final)
            return StoredFile(name, media, size, sha, final, new)
        finally:
            partial.unlink(missing_ok=True)

    def forget(self, files: list[StoredFile], still_used: set[str]) -> None:
        """Remove the files this request added that no stored submission refers to."""
        for stored in files:
            if stored.new and stored.sha256 not in still_used:
                stored.path.unlink(missing_ok=True)
