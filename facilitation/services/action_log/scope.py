"""Who reaches which action: a log's scope, actions carried forward into a later meeting, and reading one action.

- a participant, through their personal link: their own actions (progress), and the actions of
  their meeting or carried forward into it (support that did not happen);
- a chair link: the actions of every meeting prepared by the same staff account (an
  administrator's: every meeting; see `Scope`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ...domain import access
from ...domain.errors import NotFound
from ...extensions import db
from ...models import AccessLink, Action, Meeting, User
from ..pipeline import Forbidden


@dataclass(frozen=True)
class Scope:
    """Whose actions a reader sees.

    - A chair link: the actions of every meeting prepared by the same staff account as its meeting
      (a SENCO's log across her meetings); every meeting when that account is an administrator's;
      only its own meeting when the meeting has no owner.
    - A participant link: their own actions.
    """

    participant_id: int | None = None
    #: the staff account whose meetings are in scope
    owner_user_id: int | None = None
    #: a single meeting (a chair link of a meeting without an owner)
    meeting_id: int | None = None
    everything: bool = False

    @classmethod
    def of(cls, link: AccessLink) -> Scope:
        """The scope of the log a link opens (Forbidden for a role without one)."""
        if link.role == access.CHAIR:
            meeting = db.session.get(Meeting, link.meeting_id)
            if meeting is None or meeting.owner_user_id is None:
                return cls(meeting_id=link.meeting_id)
            owner = db.session.get(User, meeting.owner_user_id)
            if owner is not None and owner.role == access.ADMIN:
                return cls(everything=True)
            return cls(owner_user_id=meeting.owner_user_id)
        if link.role == access.PARTICIPANT and link.participant_id:
            return cls(participant_id=link.participant_id)
        raise Forbidden("This link cannot open the action log.")

    def meeting_condition(self, column=None):
        """A condition on `column` (Action.meeting_id by default) for this scope, or None when every meeting is in it."""
        column = Action.meeting_id if column is None else column
        if self.meeting_id is not None:
            return column == self.meeting_id
        if self.owner_user_id is not None:
            return column.in_(select(Meeting.id).where(Meeting.owner_user_id == self.owner_user_id))
        return None

    def covers_meeting(self, meeting_id: int) -> bool:
        """True when the meeting's actions are in this scope (a participant's: only their own meeting's)."""
        if self.everything:
            return True
        if self.meeting_id is not None:
            return meeting_id == self.meeting_id
        if self.owner_user_id is not None:
            meeting = db.session.get(Meeting, meeting_id)
            return meeting is not None and meeting.owner_user_id == self.owner_user_id
        return False


def latest_chair_link(user) -> AccessLink | None:
    """The chair link of the account's most recent meeting that it can open (its log's way in)."""
    return db.session.scalar(
        select(AccessLink)
        .join(Meeting, Meeting.id == AccessLink.meeting_id)
        .where(
            Meeting.owner_user_id == user.id,
            AccessLink.role == access.CHAIR,
            AccessLink.revoked_at.is_(None),
            or_(AccessLink.user_id.is_(None), AccessLink.user_id == user.id),
        )
        .order_by(Meeting.scheduled_start.desc(), Meeting.id.desc())
        .limit(1)
    )


def same_owner(model, meeting: Meeting):
    """The condition that a meeting (`model`, a table or alias) was prepared by the same account as
    `meeting`: a child reference is initials or a case code, so two children may share one, and
    one chair's meetings never carry another's actions forward."""
    if meeting.owner_user_id is None:
        return model.owner_user_id.is_(None)
    return model.owner_user_id == meeting.owner_user_id


def carried_into(action: Action, meeting: Meeting) -> bool:
    """True when `action` comes from an earlier meeting for the same child as `meeting`."""
    home = db.session.get(Meeting, action.meeting_id)
    return (
        home is not None
        and home.id != meeting.id
        and home.child_ref == meeting.child_ref
        and home.owner_user_id == meeting.owner_user_id
        and home.scheduled_start < meeting.scheduled_start
    )


def may_read(link: AccessLink, action: Action) -> bool:
    """Chair links read the actions of their log's scope (see Scope); participants their meeting's and
    those carried into it, less confidential ones that are not their own (access.sees_own_confidential)."""
    if link.role == access.CHAIR:
        return Scope.of(link).covers_meeting(action.meeting_id)
    if link.role == access.PARTICIPANT:
        if action.confidential and not access.sees_own_confidential(link.role, link.participant_id, action.owner_participant_id):
            return False
        if action.meeting_id == link.meeting_id:
            return True
        meeting = db.session.get(Meeting, link.meeting_id)
        return meeting is not None and carried_into(action, meeting)
    return False


def find_action(link: AccessLink, action_id: int) -> Action:
    """An action the link may see, or NotFound (the same answer for one it may not see)."""
    action = db.session.get(Action, action_id)
    if action is None or action.deleted_at is not None or not may_read(link, action):
        raise NotFound("There is no such action.", field="action_id")
    return action
