"""The imperative shell: load, let the domain decide, save with an audit entry, commit, return events.

`pipeline` is the one path every command takes (`execute`); the other modules declare the commands
of one area each. Importing the package registers them all.
"""

from . import (  # noqa: F401
    action_log,
    agenda,
    evidence,
    invitations,
    links,
    meetings,
    minutes,
    outcomes,
    participants,
    registers,
    speaking,
    statutory_record,
)
