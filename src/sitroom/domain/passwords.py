"""The password policy: long enough, not one of the passwords people choose most, and not a
variation of the account's own name. Length and a list of known passwords, not composition
rules: that is what NIST SP 800-63B and OWASP ASVS 5.0 (V6.2) ask for.

The list is Django's (20,000 common passwords compiled by Royce Williams from breach corpora,
BSD licence), shipped as `sitroom/data/common-passwords.txt.gz`; see its PROVENANCE entry."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from .errors import InvalidValue

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# "aaaaaaaaaaaa" or "abababababab" are long but guessed at once: ask for some variety.
MIN_DISTINCT_CHARACTERS = 5


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("sitroom") / "data" / "common-passwords.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def check_password(value: str, *, username: str = "") -> str:
    """The password itself if the policy allows it; InvalidValue saying why otherwise."""
    if len(value) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(value) > MAX_PASSWORD_LENGTH:
        raise InvalidValue(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        raise InvalidValue(
            f"a password needs at least {MIN_DISTINCT_CHARACTERS} different characters"
        )
    folded = value.strip().lower()
    if folded in common_passwords():
        raise InvalidValue("this password is on a list of common, breached passwords")
    name = username.strip().lower()
    if name and len(name) >= 3 and name in folded:
        raise InvalidValue("a password may not contain the user name")
    return value
