"""Login throttling with backoff, per account and per address, kept in the database so that
every worker of the server counts the same failures.

A few failures within the window are free (people mistype); beyond them each failure doubles
the wait before the next attempt is even checked, up to a ceiling. A throttled attempt costs
one indexed query and no password hash, which is what keeps a flood of guesses cheap. The
address limit is looser than the account's: many people may share one address behind a proxy
or a NAT, while one account is one person."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from ..store.account_tables import LoginFailureRow
from ..store.engine import UnitOfWork
from . import audit


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    window: timedelta = timedelta(minutes=15)
    free_per_account: int = 5
    free_per_address: int = 20
    first_wait: timedelta = timedelta(seconds=30)
    longest_wait: timedelta = timedelta(minutes=15)


DEFAULT_POLICY = ThrottlePolicy()


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"user:{username.strip().lower()[:100]}", f"addr:{address[:90]}"


def wait_before_login(
    engine: Engine,
    username: str,
    address: str,
    *,
    now: datetime | None = None,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> int:
    """Seconds to wait before this account may be tried from this address; 0 to go ahead."""
    now = now or datetime.now(UTC)
    account, origin = _keys(username, address)
    with Session(engine) as session:
        rows = session.execute(
            select(LoginFailureRow.key, func.count(), func.max(LoginFailureRow.at))
            .where(
                LoginFailureRow.key.in_((account, origin)),
                LoginFailureRow.at > now - policy.window,
            )
            .group_by(LoginFailureRow.key)
        ).all()
    wait = 0.0
    for key, failures, last in rows:
        free = policy.free_per_account if key == account else policy.free_per_address
        if failures < free or last is None:
            continue
        backoff = policy.first_wait * 2 ** min(failures - free, 20)
        until = _aware(last) + min(backoff, policy.longest_wait)
        wait = max(wait, (until - now).total_seconds())
    return math.ceil(wait)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_failure(
    engine: Engine,
    username: str,
    address: str,
    *,
    now: datetime | None = None,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> None:
    now = now or datetime.now(UTC)
    keys = _keys(username, address)
    with UnitOfWork(engine) as uow:
        # Failures older than the window count for nothing: each new one sweeps its keys'.
        uow.session.execute(
            delete(LoginFailureRow).where(
                LoginFailureRow.key.in_(keys), LoginFailureRow.at <= now - policy.window
            )
        )
        uow.session.add_all(LoginFailureRow(key=key, at=now) for key in keys)
        # The audit trail keeps what the throttle forgets after its window. Throttled
        # attempts are refused before they get here, so a flood cannot flood the trail.
        name = username.strip().lower()[:64]
        after = {"address": address[:90]}
        audit.record(uow.session, None, "login_failed", "user", name, after=after, now=now)
        uow.commit()


def forget_account_failures(engine: Engine, username: str) -> None:
    """After a successful login: the account starts afresh. The address keeps its count, so
    that one valid account cannot launder an address's guesses at others."""
    account, _origin = _keys(username, "")
    with UnitOfWork(engine) as uow:
        uow.session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == account))
        uow.commit()
