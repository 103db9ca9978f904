"""The statutory clock's calendar for an organisation: public holidays from `holidays`, plus its own closures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays

from facilitation.domain.statutory.calendar import Calendar, Term

# The public holidays each jurisdiction's working days skip (England and Wales bank holidays; US federal).
HOLIDAY_SOURCES = {"ENG": {"country": "GB", "subdiv": "ENG"}, "US": {"country": "US"}}
DEFAULT_ZONES = {"ENG": "Europe/London", "US": "America/New_York"}


def public_holidays(jurisdiction: str, years: Iterable[int]) -> frozenset[date]:
    """The public holidays of a jurisdiction in the given years."""
    return _public_holidays(jurisdiction, tuple(sorted(set(years))))


@lru_cache(maxsize=64)
def _public_holidays(jurisdiction: str, years: tuple[int, ...]) -> frozenset[date]:
    found = holidays.country_holidays(**HOLIDAY_SOURCES[jurisdiction], years=list(years))
    return frozenset(found.keys())


def organisation_calendar(
    jurisdiction: str,
    years: Iterable[int],
    closures: Iterable[date] = (),
    terms: Iterable[Term] = (),
    timezone: str | None = None,
) -> Calendar:
    """A Calendar with the jurisdiction's public holidays, the organisation's closure days and term dates."""
    return Calendar(
        holidays=public_holidays(jurisdiction, years),
        closures=frozenset(closures),
        terms=tuple(sorted(terms, key=lambda term: term.start)),
        timezone=timezone or DEFAULT_ZONES[jurisdiction],
    )
