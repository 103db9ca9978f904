"""After the meeting: progress, missed support, carrying actions forward, the log, calendars and reminders.

- `rows`: an action as the log shows it, with its history (and the event views of both);
- `scope`: who reaches which action (a log's scope, actions carried into a later meeting);
- `commands`: progress, support that did not happen, reminder addresses, commands run from the log;
- `search`: the log's filters, counts and pages; `overview`: completion per agency and meeting type;
- `review`: the review of previous actions in a later meeting for the same child;
- `feeds`: the CSV export and each owner's calendar feed; `reminders`: e-mails and weekly digests;
- `statutory_dates`: the statutory steps of the meetings a log covers (its statutory view, the digests).
"""

from . import commands, feeds, overview, reminders, review, rows, scope, search, statutory_dates  # noqa: F401 - commands register, views too
