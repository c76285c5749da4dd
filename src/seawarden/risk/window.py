"""Next-inspection windows: dates from the last inspection, and the priority on a day."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Priority(StrEnum):
    """Inspection priority on a day (Paris MoU NIR)."""

    priority_i = "priority_I"
    """Overdue (after the window), an overriding factor, or never inspected: must be inspected."""
    priority_ii = "priority_II"
    """Within the window: may be inspected."""
    not_due = "not_due"
    """Before the window."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    n = (end.year - start.year) * 12 + end.month - start.month
    if n > 0 and end.day < start.day:
        n -= 1
    elif n < 0 and end.day > start.day:
        n += 1
    return n


@dataclass(frozen=True)
class InspectionWindow:
    """When a ship is next due: Priority II from ``opens`` to ``closes``, Priority I after."""

    last_inspection: dt.date | None
    opens: dt.date | None
    closes: dt.date | None
    overriding: tuple[str, ...] = ()

    def priority(self, day: dt.date) -> Priority:
        """The ship's priority on ``day``."""
        if (
            self.overriding
            or self.last_inspection is None
            or self.closes is None
            or day > self.closes
        ):
            return Priority.priority_i
        if self.opens is not None and day >= self.opens:
            return Priority.priority_ii
        return Priority.not_due


def window(
    last: dt.date | None, months: tuple[int, int], overriding: tuple[str, ...] = ()
) -> InspectionWindow:
    """The window that follows an inspection on ``last`` (``None``: never inspected)."""
    if last is None:
        return InspectionWindow(None, None, None, ("not in the inspection database", *overriding))
    return InspectionWindow(
        last, add_months(last, months[0]), add_months(last, months[1]), overriding
    )
