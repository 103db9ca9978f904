"""Errors the domain raises when a command breaks a rule of the meeting."""

from __future__ import annotations


class RuleViolation(Exception):
    """A command is not allowed in the meeting's current state; nothing was changed."""

    code = "not_allowed"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class InvalidValue(RuleViolation):
    """A value is outside what the domain accepts (a negative duration, an empty title)."""

    code = "invalid"


class NotFound(RuleViolation):
    """The thing named does not exist in this meeting."""

    code = "not_found"


class Conflict(RuleViolation):
    """An edit was based on a version that is no longer current."""

    code = "conflict"

    def __init__(self, message: str, *, current: dict | None = None):
        super().__init__(message)
        self.current = current or {}
