"""The report of a pilot that its company reads: usage per school and week with small cells suppressed.

The same suppression as every published table of the analytics store (`analytics/suppression.py`):
a school-week with fewer than `min_n` active students shows no count and no minutes, and the school
rows of a week are a partition of the week's total over the pilot's schools, so one hidden school is
never left recoverable from the total. No student row exists to show: usage is kept per school and week.
"""

import datetime
from dataclasses import dataclass

from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT, suppress
from improvenet.pilots.models import Pilot

ALL_SCHOOLS = "All pilot schools"


@dataclass(frozen=True)
class UsageRow:
    week: datetime.date
    school: str
    active_students: int | None  # None when suppressed
    minutes_per_student: float | None

    @property
    def suppressed(self) -> bool:
        return self.active_students is None


@dataclass(frozen=True)
class PilotReport:
    pilot: Pilot
    rows: list[UsageRow]
    min_n: int
    claimed_minutes_per_week: float | None
    minutes_per_student_week: float | None  # over the weeks shown for all schools; None when none is shown


def pilot_report(pilot: Pilot, min_n: int = DEFAULT_MIN_N) -> PilotReport:
    usage = list(pilot.usage_weeks.select_related("school").order_by("week", "school__name"))
    names = {str(week.school_id): week.school.name for week in usage}
    records = [{"school_id": str(w.school_id), "week": w.week, "group": "all", "students": w.active_students,
                "minutes": w.minutes} for w in usage]
    for week in sorted({w.week for w in usage}):
        of_week = [w for w in usage if w.week == week]
        records.append({"school_id": DISTRICT, "week": week, "group": "all",
                        "students": sum(w.active_students for w in of_week),
                        "minutes": sum(w.minutes for w in of_week)})
    rows, shown_students, shown_minutes = [], 0, 0.0
    if records:
        import pandas as pd  # only when there is usage to report: pandas is slow to import

        table = suppress(pd.DataFrame.from_records(records), "students", ("minutes",), min_n=min_n,
                         unit_column="school_id", period_column="week", group_column="group")
        # The week's total over the pilot's schools first, then its schools by name.
        ordered = sorted(table.to_dict("records"), key=lambda r: (r["week"], r["school_id"] != DISTRICT,
                                                                    names.get(r["school_id"], "")))
        for record in ordered:
            hidden = bool(record["suppressed"])
            students = None if hidden else int(record["students"])
            per_student = None if hidden or not students else float(record["minutes"]) / students
            rows.append(UsageRow(record["week"], names.get(record["school_id"], ALL_SCHOOLS), students, per_student))
            if record["school_id"] == DISTRICT and not hidden:
                shown_students += students
                shown_minutes += float(record["minutes"])
    claimed = float(pilot.claimed_minutes_per_week) if pilot.claimed_minutes_per_week is not None else None
    return PilotReport(pilot, rows, min_n, claimed, shown_minutes / shown_students if shown_students else None)

