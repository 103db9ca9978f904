"""The action log as CSV: every action the log's filters match, one row each, streamed in chunks.

UTF-8 with a byte-order mark (so spreadsheet programs read accents), CRLF line ends, dates UK style
(14 Mar 2027) as the log shows them. Cells are written as in the register (csv_register.cell): control
characters shown as U+FFFD, direction controls kept to their value, and nothing anyone typed can run as a
spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from ..domain.dates import uk_date
from .csv_register import cell

COLUMNS = [
    "Action", "What", "Owner", "Agency", "Need or outcome", "Status", "Standing", "Due", "Follow-up",
    "Closed on", "Last update", "Child", "Meeting", "Meeting type", "Meeting date", "Agenda item",
]

#: Rows per chunk handed to the response while the rest are still being read.
CHUNK_ROWS = 500


def _cell(value) -> str:
    return uk_date(value) if isinstance(value, date) else cell(value)


def lines(rows: Iterable[Sequence]) -> Iterator[str]:
    """The file's text in chunks: rows of values in COLUMNS order (dates as `date`, None as empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")
    writer.writerow([cell(c) for c in COLUMNS])
    count = 0
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        count += 1
        if count % CHUNK_ROWS == 0:
            yield flush()
    yield flush()
