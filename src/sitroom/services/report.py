"""What an import says back: every row read is accepted, a duplicate, or rejected with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    field: str
    reason: str
    cells: dict[str, str]


@dataclass(slots=True)
class ImportReport:
    file_name: str
    kind: str = ""
    file_format: str = ""
    read: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    committed: bool = False
    batch_id: int | None = None

    @property
    def accounted_for(self) -> bool:
        return self.read == self.accepted + self.duplicate + self.rejected

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file_name,
            "kind": self.kind,
            "format": self.file_format,
            "read": self.read,
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "committed": self.committed,
            "error": self.error,
            "batch_id": self.batch_id,
            "notes": self.notes,
            "rejections": [
                {"line": r.line, "field": r.field, "reason": r.reason} for r in self.rejections
            ],
        }
