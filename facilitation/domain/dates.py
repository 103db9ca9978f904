"""Dates as people in the UK write them, for pages, e-mails, calendars and CSV files."""

from __future__ import annotations

from datetime import date, datetime


def uk_date(value: date | None, weekday: bool = False) -> str:
    """14 Mar 2027 (or Sun 14 Mar 2027); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    text = f"{value.day} {value:%b %Y}"
    return f"{value:%a} {text}" if weekday else text
