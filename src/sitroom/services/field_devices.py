"""App credentials for phones: a user makes one per phone for themselves, sees it once (as text
and as a QR code that configures Collect), and can revoke it. What a phone submits is its
user's, in the organisation the credentials were made in; a user who has since moved
organisation, been deactivated or lost the right to report cannot submit with them.

The password is random and hashed with the accounts' argon2 hasher. A patrol back in coverage
sends dozens of reports in a row, each with the same Basic credentials, so a check that
passed is remembered in this process for a few minutes (as a SHA-256 of the password, never
the password); revocation is read from the database on every request all the same."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..domain.accounts import Role, User, can_write
from ..domain.errors import InvalidValue
from ..store.account_tables import UserRow
from ..store.engine import UnitOfWork
from ..store.field_tables import FieldDeviceRow
from . import audit
from .accounts import DEFAULT_HASHER, NotAllowed

REMEMBER_SECONDS = 300.0
# argon2 takes 64 MiB per check by default: a hundred phones signing in at once must not take
# gigabytes, so checks wait their turn beyond this many per process.
CONCURRENT_CHECKS = 2
_DUMMY_HASH = DEFAULT_HASHER.hash("not the password of any phone")


@dataclass(frozen=True, slots=True)
class Device:
    id: int
    login: str
    name: str
    user: User
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewDevice:
    device: Device
    password: str


def create_device(
    engine: Engine, owner: User, name: str, *, hasher: PasswordHasher = DEFAULT_HASHER
) -> NewDevice:
    """Credentials for one of `owner`'s phones; the password is returned here only. A phone
    reports, so only someone who may report gets one."""
    if not can_write(owner):
        raise NotAllowed(f"a {owner.role.value} cannot report, so cannot have a reporting phone")
    label = " ".join(name.split())[:120] or "phone"
    password = secrets.token_urlsafe(18)
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        row = FieldDeviceRow(
            login=f"pending-{secrets.token_hex(8)}",
            name=label,
            password_hash=hasher.hash(password),
            user_id=owner.id,
            organisation_id=owner.organisation_id,
            created_at=now,
        )
        uow.session.add(row)
        uow.session.flush()
        # The login names its person and phone, so a server log or audit entry reads plainly.
        row.login = f"{owner.username}.phone{row.id}"
        after = {"login": row.login, "name": label}
        audit.record(uow.session, owner, "create", "field_device", str(row.id), after=after)
        uow.commit()
        device = Device(row.id, row.login, label, owner, now, None)
    return NewDevice(device, password)


def list_devices(session: Session, owner: User) -> list[Device]:
    rows = session.scalars(
        select(FieldDeviceRow).where(FieldDeviceRow.user_id == owner.id).order_by(FieldDeviceRow.id)
    )
    return [Device(r.id, r.login, r.name, owner, r.created_at, r.revoked_at) for r in rows]


def revoke_device(engine: Engine, owner: User, device_id: int) -> None:
    with UnitOfWork(engine) as uow:
        row = uow.session.get(FieldDeviceRow, device_id)
        if row is None or row.user_id != owner.id:
            raise InvalidValue(f"you have no phone {device_id}")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            audit.record(uow.session, owner, "revoke", "field_device", str(row.id))
            uow.commit()


class DeviceCheck:
    """Basic credentials → the device, with passed checks remembered per process."""

    def __init__(self, hasher: PasswordHasher = DEFAULT_HASHER) -> None:
        self.hasher = hasher
        self._passed: dict[str, tuple[str, str, float]] = {}
        self._lock = threading.Lock()
        self._checks = threading.BoundedSemaphore(CONCURRENT_CHECKS)

    def device(self, engine: Engine, login: str, password: str) -> Device | None:
        """None for unknown, revoked or wrong credentials, or a user who may no longer submit
        with them; each costs about as long, so a guess learns nothing from the time. The
        database connection is handed back before the password is checked: a hundred phones
        waiting for argon2 must not hold the pool."""
        with Session(engine) as session:
            found = session.execute(
                select(FieldDeviceRow, UserRow)
                .join(UserRow, UserRow.id == FieldDeviceRow.user_id)
                .where(FieldDeviceRow.login == login[:60])
            ).first()
        if found is None:
            self._verify(_DUMMY_HASH, password)
            return None
        device_row, user_row = found[0], found[1]
        if not self._matches(device_row, password):
            return None
        usable = (
            device_row.revoked_at is None
            and user_row.active
            and user_row.organisation_id == device_row.organisation_id
        )
        if not usable:
            return None
        user = User(
            user_row.id,
            user_row.username,
            user_row.organisation_id,
            Role(user_row.role),
            user_row.active,
        )
        return Device(
            device_row.id, device_row.login, device_row.name, user, device_row.created_at, None
        )

    def _matches(self, row: FieldDeviceRow, password: str) -> bool:
        fingerprint = hashlib.sha256(password.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            known = self._passed.get(row.login)
        if (
            known is not None
            and known[1] == row.password_hash
            and known[2] > now
            and secrets.compare_digest(known[0], fingerprint)
        ):
            return True
        if not self._verify(row.password_hash, password):
            return False
        with self._lock:
            if len(self._passed) > 10_000:
                self._passed.clear()
            self._passed[row.login] = (fingerprint, row.password_hash, now + REMEMBER_SECONDS)
        return True

    def _verify(self, hashed: str, password: str) -> bool:
        with self._checks:
            try:
                return self.hasher.verify(hashed, password)
            except (VerificationError, InvalidHashError):
                return False
