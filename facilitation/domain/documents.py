"""Documents and the evidence pack: what a file is (from its bytes, not its name), a safe name for it,
and the dates and states of the advice a meeting asks for. Pure: no app, no database.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import InvalidValue

PDF, DOCX, PNG, JPEG = "pdf", "docx", "png", "jpeg"
#: The kinds of file accepted, with the media type each is served as and its usual extension.
KINDS: dict[str, tuple[str, str]] = {
    PDF: ("application/pdf", "pdf"),
    DOCX: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    PNG: ("image/png", "png"),
    JPEG: ("image/jpeg", "jpg"),
}
IMAGES = frozenset({PNG, JPEG})
#: What a claimed media type or extension says the file is (to refuse a file whose bytes disagree).
CLAIMS: dict[str, str] = {
    "application/pdf": PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": DOCX,
    "image/png": PNG,
    "image/jpeg": JPEG,
    "image/jpg": JPEG,
    "pdf": PDF,
    "docx": DOCX,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
}
#: The longest file name kept (characters, extension included).
NAME_MAX = 120
#: A DOCX is a zip; reading its directory is bounded so a crafted archive cannot cost much.
_ZIP_ENTRIES_MAX = 2000


def sniff(data: bytes) -> str | None:
    """The kind of file these bytes are (pdf, docx, png, jpeg), or None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    return None


def _is_docx(data: bytes) -> bool:
    """A zip with [Content_Types].xml and word/document.xml (a Word document, not any zip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > _ZIP_ENTRIES_MAX:
                return False
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def claimed_kind(content_type: str | None, filename: str) -> str | None:
    """What the upload says it is: its media type, else its name's extension (None when it says nothing known)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in CLAIMS:
        return CLAIMS[media]
    extension = filename.rsplit(".", 1)[1].lower() if "." in filename else ""
    return CLAIMS.get(extension)


_UNSAFE = re.compile(r'[<>:"|?*\\/]')


def check_name(filename: str) -> str:
    """The file name as kept: refused with a message when it holds a path or control characters; trimmed
    to NAME_MAX characters keeping its extension."""
    name = unicodedata.normalize("NFC", filename or "").strip()
    if not name:
        raise InvalidValue("The file needs a name.", field="file")
    if "/" in name or "\\" in name or name in (".", "..") or re.match(r"^[A-Za-z]:", name):
        raise InvalidValue("The file name must not contain a folder or path (no / or \\).", field="file")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise InvalidValue("The file name must not contain control characters.", field="file")
    name = _UNSAFE.sub("_", name).lstrip(".") or "document"
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: NAME_MAX - len(extension) - 1] + "." + extension
        else:
            name = name[:NAME_MAX]
    return name


def check_upload(data: bytes, filename: str, content_type: str | None, max_bytes: int, *, images_only: bool = False) -> tuple[str, str]:
    """(kind, safe name) of an upload, or InvalidValue naming `file`; sizes over `max_bytes` raise TooLarge."""
    if len(data) > max_bytes:
        raise TooLarge(f"The file is larger than the {human_size(max_bytes)} allowed.", field="file")
    name = check_name(filename)
    if not data:
        raise InvalidValue("The file is empty.", field="file")
    kind = sniff(data)
    if kind is None:
        raise UnsupportedType("Only PDF, Word (DOCX), PNG and JPEG files can be uploaded.", field="file")
    claimed = claimed_kind(content_type, name)
    if claimed is not None and claimed != kind:
        raise InvalidValue(
            f"The file's content is {kind.upper()}, not the {claimed.upper()} its name or type says.", field="file"
        )
    if images_only and kind not in IMAGES:
        raise UnsupportedType("A drawing or photo must be a PNG or JPEG image.", field="file")
    return kind, name


class TooLarge(InvalidValue):
    """An upload over the size allowed (HTTP 413)."""

    code = "too_large"


class UnsupportedType(InvalidValue):
    """An upload of a kind not accepted (HTTP 415)."""

    code = "unsupported_type"


def human_size(n: int) -> str:
    """A byte count as people read it: 20 MB, 512 KB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    return f"{max(1, n // 1024)} KB"


# ---------------------------------------------------------------- the evidence pack

ADVICE, CHILD_VIEWS = "advice", "child_views"
REQUEST_KINDS = {ADVICE: "Advice or report", CHILD_VIEWS: "The child's or young person's views"}
#: How a child's or young person's views were gathered.
GATHERED = {
    "conversation": "In conversation",
    "drawing": "Through a drawing",
    "booklet": "With a booklet or form",
    "advocate": "By their advocate",
    "observation": "By observation",
}
#: Days before the meeting advice is due: two weeks before an annual review (SEND Regulations 2014
#: reg 20, rule ENG-AR-06: advice circulated at least two weeks before), a week before other meetings.
ANNUAL_REVIEW_TYPES = frozenset({"ehcp_annual_review"})
PACK_RULE = "ENG-AR-06"
WHAT_MAX = 500
ANSWER_MAX = 20000
REQUESTED, RECEIVED, LATE, OVERDUE = "requested", "received", "late", "overdue"
STATES = {REQUESTED: "Requested", RECEIVED: "Received", LATE: "Received late", OVERDUE: "Late: not received"}


def days_before(meeting_type: str) -> int:
    """How many days before the meeting the pack goes out (advice is due then)."""
    return 14 if meeting_type in ANNUAL_REVIEW_TYPES else 7


def default_due(meeting_type: str, meeting_day: date) -> date:
    """When advice is due when the chair does not say: 14 days before an annual review, 7 before others."""
    return meeting_day - timedelta(days=days_before(meeting_type))


def request_state(due_on: date, answered_on: date | None, today: date) -> str:
    """requested, received (on time), late (received after the due date) or overdue (due, not received)."""
    if answered_on is not None:
        return RECEIVED if answered_on <= due_on else LATE
    return OVERDUE if today > due_on else REQUESTED


@dataclass(frozen=True)
class Circulation:
    """When the pack went out, against the day it had to."""

    on: date
    due: date

    @property
    def on_time(self) -> bool:
        return self.on <= self.due

    def describe(self) -> str:
        """In words, for the chair and the minutes."""
        if self.on_time:
            return f"Circulated on {self.on:%d %b %Y}, by {self.due:%d %b %Y} as required."
        late = (self.on - self.due).days
        return f"Circulated on {self.on:%d %b %Y}: {late} day{'s' if late != 1 else ''} after {self.due:%d %b %Y}, the latest day."
