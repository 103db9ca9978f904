"""Who reaches which action: a log's scope, actions carried forward into a later meeting, and reading one action.

- a participant, through their personal link: their own actions (progress), and the actions of
  their meeting or carried forward into it (support that did not happen);
- a chair link: the actions of every meeting prepared by the same staff account (an
  administrator's: every meeting of the account's organisation; see `Scope`), and of every meeting
  of an organisation that granted the account access (OrganisationGrant).

Nothing of another organisation is in any scope: an id of it is answered as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from ... import queries
from ...domain import access
from ...domain.errors import NotFound
from ...extensions import db
from ...models import AccessLink, Action, Meeting, User
from ..pipeline import Forbidden


@dataclass(frozen=True)
class Scope:
    """Whose actions a reader sees.

    - A chair link: the actions of every meeting prepared by the same staff account as its meeting
      (a SENCO's log across her meetings); every meeting of the account's organisation when it is an
      administrator's; only its own meeting when the meeting has no owner. With an account, also
      every meeting of the organisations that granted it access.
    - A participant link: their own actions.
    """

    participant_id: int | None = None
    #: the staff account whose meetings are in scope
    owner_user_id: int | None = None
    #: a single meeting (a chair link of a meeting without an owner)
    meeting_id: int | None = None
    #: every meeting of the account's organisation (an administrator's log)
    everything: bool = False
    #: the account's own organisation (with `everything`)
    organisation_id: int | None = None
    #: organisations that granted the account access: all their meetings are in scope
    granted: tuple[int, ...] = ()

    @classmethod
    def of(cls, link: AccessLink) -> Scope:
        """The scope of the log a link opens (Forbidden for a role without one)."""
        if link.role == access.CHAIR:
            meeting = db.session.get(Meeting, link.meeting_id)
            if meeting is None or meeting.owner_user_id is None:
                return cls(meeting_id=link.meeting_id)
            owner = db.session.get(User, meeting.owner_user_id)
            granted = tuple(sorted(queries.granted_organisations(owner))) if owner is not None else ()
            if owner is not None and owner.role == access.ADMIN:
                return cls(everything=True, organisation_id=meeting.organisation_id, granted=granted)
            return cls(owner_user_id=meeting.owner_user_id, granted=granted)
        if link.role == access.PARTICIPANT and link.participant_id:
            return cls(participant_id=link.participant_id)
        raise Forbidden("This link cannot open the action log.")

    def meetings(self):
        """A condition on Meeting for the meetings in this scope; None when it is not about meetings (a
        participant's own actions) or when every meeting is in it (an administrator's log in a
        deployment of one organisation)."""
        if self.meeting_id is not None:
            return Meeting.id == self.meeting_id
        if self.owner_user_id is not None:
            own = Meeting.owner_user_id == self.owner_user_id
        elif self.everything:
            if not self.granted and queries.only_organisation():
                return None  # a deployment of one organisation: every meeting is its own (the log's fast paths)
            own = Meeting.organisation_id == self.organisation_id
        else:
            return None
        return or_(own, Meeting.organisation_id.in_(self.granted)) if self.granted else own

    def meeting_condition(self, column=None):
        """A condition on `column` (Action.meeting_id by default) for this scope, or None when it is not
        about meetings."""
        column = Action.meeting_id if column is None else column
        if self.meeting_id is not None:
            return column == self.meeting_id
        wanted = self.meetings()
        return column.in_(select(Meeting.id).where(wanted)) if wanted is not None else None

    def covers_meeting(self, meeting_id: int) -> bool:
        """True when the meeting's actions are in this scope (a participant's: only their own meeting's)."""
        if self.meeting_id is not None:
            return meeting_id == self.meeting_id
        if self.owner_user_id is None and not self.everything:
            return False
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None:
            return False
        if meeting.organisation_id in self.granted:
            return True
        if self.everything:
            return meeting.organisation_id == self.organisation_id
        return meeting.owner_user_id == self.owner_user_id


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
    same_organisation = model.organisation_id == meeting.organisation_id
    if meeting.owner_user_id is None:
        return and_(model.owner_user_id.is_(None), same_organisation)
    return and_(model.owner_user_id == meeting.owner_user_id, same_organisation)


def carried_into(action: Action, meeting: Meeting) -> bool:
    """True when `action` comes from an earlier meeting for the same child as `meeting`."""
    home = db.session.get(Meeting, action.meeting_id)
    return (
        home is not None
        and home.id != meeting.id
        and home.child_ref == meeting.child_ref
        and home.owner_user_id == meeting.owner_user_id
        and home.organisation_id == meeting.organisation_id
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
