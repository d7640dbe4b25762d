"""Solr date values and date math (``NOW-1DAY``, ``NOW/DAY+1DAY``, ...).

Dates are stored in the index as UTC strings of one fixed width,
``YYYY-MM-DDTHH:MM:SS.ffffffZ``, so that comparing strings compares instants.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

from dateutil.parser import isoparse

STORED_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_UNITS = {
    "YEAR": "years", "YEARS": "years",
    "MONTH": "months", "MONTHS": "months",
    "DAY": "days", "DAYS": "days", "DATE": "days",
    "HOUR": "hours", "HOURS": "hours",
    "MINUTE": "minutes", "MINUTES": "minutes",
    "SECOND": "seconds", "SECONDS": "seconds",
    "MILLI": "millis", "MILLIS": "millis",
    "MILLISECOND": "millis", "MILLISECONDS": "millis",
}
# One step of Solr date math: "/UNIT" (round down) or "+N UNIT" / "-N UNIT".
_MATH_STEP = re.compile(r"(/)([A-Z]+)|([+-])(\d{1,9})([A-Z]+)")


class DateSyntaxError(ValueError):
    """A date or date-math expression Solr would reject."""


def to_stored(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime(STORED_FORMAT)


def normalise_stored(raw: object) -> str | None:
    """Stored form of an indexed date value, or None if it is not a date."""
    if isinstance(raw, dt.datetime):
        return to_stored(raw)
    if isinstance(raw, dt.date):
        return to_stored(dt.datetime(raw.year, raw.month, raw.day))
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return to_stored(isoparse(raw.strip()))
    except (ValueError, OverflowError):
        return None


def _add_months(value: dt.datetime, months: int) -> dt.datetime:
    month_index = value.month - 1 + months
    year = value.year + month_index // 12
    month = month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def _round_down(value: dt.datetime, unit: str) -> dt.datetime:
    if unit == "years":
        return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "months":
        return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "days":
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "hours":
        return value.replace(minute=0, second=0, microsecond=0)
    if unit == "minutes":
        return value.replace(second=0, microsecond=0)
    if unit == "seconds":
        return value.replace(microsecond=0)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _shift(value: dt.datetime, unit: str, amount: int) -> dt.datetime:
    if unit == "years":
        return _add_months(value, 12 * amount)
    if unit == "months":
        return _add_months(value, amount)
    if unit == "millis":
        return value + dt.timedelta(milliseconds=amount)
    return value + dt.timedelta(**{unit: amount})


def resolve(expression: str, now: dt.datetime | None = None) -> str:
    """Resolve a Solr date (``2024-01-01T00:00:00Z``) or date-math expression
    (``NOW-7DAYS``, ``NOW/DAY``, ``2024-01-01T00:00:00Z+1MONTH``) to the
    stored form. Raises DateSyntaxError for anything else."""
    text = expression.strip()
    if now is None:
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    if text.upper().startswith("NOW"):
        base, rest = now, text[3:]
    else:
        # The date part ends at "Z" (Solr requires it); math may follow.
        end = text.find("Z")
        date_part, rest = (text, "") if end < 0 else (text[:end + 1], text[end + 1:])
        try:
            base = isoparse(date_part)
        except (ValueError, OverflowError) as exc:
            raise DateSyntaxError(f"Invalid date {expression!r}") from exc
        if base.tzinfo is not None:
            base = base.astimezone(dt.timezone.utc).replace(tzinfo=None)
    position = 0
    rest = rest.upper()
    try:
        while position < len(rest):
            match = _MATH_STEP.match(rest, position)
            if not match:
                raise DateSyntaxError(f"Invalid date math {expression!r}")
            if match.group(1):
                unit = _UNITS.get(match.group(2))
                if unit is None:
                    raise DateSyntaxError(f"Unknown date unit in {expression!r}")
                base = _round_down(base, unit)
            else:
                unit = _UNITS.get(match.group(5))
                if unit is None:
                    raise DateSyntaxError(f"Unknown date unit in {expression!r}")
                amount = int(match.group(4))
                base = _shift(base, unit, amount if match.group(3) == "+" else -amount)
            position = match.end()
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, DateSyntaxError):
            raise
        raise DateSyntaxError(f"Date out of range in {expression!r}") from exc
    return to_stored(base)
