"""Errors the domain raises when a value breaks a rule; each message says what to fix."""


class InvalidValue(ValueError):
    """A single value is not acceptable; the message is meant for the person who entered it."""


class FieldErrors(ValueError):
    """One or more fields of a record are invalid: maps field name to a reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in self.errors.items()))


def filed_reason(errors: dict[str, str]) -> tuple[str, str]:
    """The field a rejected row is filed under (its first bad one) and the reason, which
    names every other bad field of the row; no field is named twice."""
    (first, why), *others = errors.items()
    return first, "; ".join([why, *(f"{name}: {reason}" for name, reason in others)])


class NotFound(InvalidValue):
    """The record a request names does not exist, or is not the caller's to see (the same
    answer for both, so existence does not leak)."""


class AlreadyExists(InvalidValue):
    """A name that must be unique is taken."""
