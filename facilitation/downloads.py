"""File downloads shared by the pages and the JSON API: the minutes in each export format, with the
headers that keep a meeting's record out of caches and other sites."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort

from . import exports
from .domain import documents as document_rules
from .domain import minutes as rules
from .domain.errors import RuleViolation
from .services import minutes as service

#: Headers for every page and file of a meeting's record.
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
#: Exported HTML has inline styles and nothing else: no script can run even if something slipped through.
EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def minutes_or_404(meeting, which) -> rules.Minutes:
    """The minutes asked for; 404 for a version that does not exist."""
    try:
        return service.minutes_for(meeting, which)
    except RuleViolation:
        abort(404)


def minutes_file(link, meeting, fmt: str, which, owner: str | None, download: bool) -> Response:
    """The minutes in one format as a download (HTML opens in the browser to print, unless `download`)."""
    if fmt not in exports.formats_for(meeting.meeting_type):
        abort(404)
    spec = exports.FORMATS[fmt]
    if owner is not None and (not spec.per_owner or len(owner) > 40 or not owner.isalnum()):
        abort(404)
    minutes = minutes_or_404(meeting, which)
    body = exports.render(fmt, minutes, owner=owner)
    service.record_export(link, "minutes", fmt, which)
    name = exports.filename(minutes, fmt, owner)
    inline = spec.extension == "html" and not download
    headers = {
        **PRIVATE,
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
    }
    if spec.extension == "html":
        headers["Content-Security-Policy"] = EXPORT_CSP
    return Response(body, mimetype=spec.mimetype.split(";")[0], headers=headers, content_type=spec.mimetype)


def document_file(document, data: bytes) -> Response:
    """A document of the evidence pack as an attachment: its checked type, an ASCII name and the RFC 5987
    UTF-8 name, nosniff, kept by no cache; never shown inline, so no file runs as a page of this site."""
    media_type, extension = document_rules.KINDS[document.kind]
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in " ._-()") else "_" for ch in document.name)
    if not ascii_name.lower().endswith("." + extension):
        ascii_name += "." + extension
    headers = {
        **PRIVATE,
        "Cache-Control": "private, no-store",
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(document.name, safe='')}",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return Response(data, mimetype=media_type, headers=headers)
