"""What a school community said: its events, attendance, concerns and support by tag, and objections.

The same summary serves the per-school engagement page, each candidate of a selection decision and
the API, so the community input a decision shows is exactly what the engagement pages record.
Call inside the cluster's scope.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from improvenet.engagement.models import CommunityInput, EngagementEvent, Objection, Tag
from improvenet.network.models import School


@dataclass(frozen=True)
class TagCount:
    tag: str
    concerns: int
    support: int


@dataclass
class SchoolInput:
    school: School
    events: list[EngagementEvent] = field(default_factory=list)
    concerns: int = 0
    support: int = 0
    by_tag: list[TagCount] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)

    @property
    def attendance(self) -> int:
        return sum(event.attendance for event in self.events)

    @property
    def open_objections(self) -> int:
        return sum(1 for o in self.objections if o.status == Objection.Status.OPEN)

    def to_dict(self) -> dict:
        return {
            "school_id": self.school.pk,
            "school": self.school.name,
            "events": len(self.events),
            "attendance": self.attendance,
            "concerns": self.concerns,
            "support": self.support,
            "by_tag": [vars(count) for count in self.by_tag],
            "objection_ids": [o.pk for o in self.objections],
            "open_objections": self.open_objections,
        }


def filter_events(events: QuerySet, *, school: str = "", kind: str = "", tag: str = "") -> QuerySet:
    """Events of one school (`district` for district-wide events), of one kind, with input of one tag."""
    if school == "district":
        events = events.filter(school__isnull=True)
    elif school:
        events = events.filter(school_id=school)
    if kind:
        events = events.filter(kind=kind)
    if tag:
        events = events.filter(inputs__tags__name__iexact=tag).distinct()
    return events


def tag_counts(inputs: QuerySet) -> list[TagCount]:
    """Concerns and support per tag among these inputs, the most discussed tag first."""
    counts = (
        Tag.objects.filter(inputs__in=inputs)
        .values("name")
        .annotate(concerns=Count("inputs", filter=Q(inputs__stance=CommunityInput.Stance.CONCERN)),
                  support=Count("inputs", filter=Q(inputs__stance=CommunityInput.Stance.SUPPORT)))
    )
    rows = [TagCount(row["name"], row["concerns"], row["support"]) for row in counts]
    return sorted(rows, key=lambda row: (-(row.concerns + row.support), row.tag.lower()))


def community_input(schools: list[School]) -> dict[int, SchoolInput]:
    """Each school's community input, keyed by school id (district-wide events are not any school's)."""
    summaries = {school.pk: SchoolInput(school) for school in schools}
    for event in EngagementEvent.objects.filter(school__in=summaries).order_by("held_on", "pk"):
        summaries[event.school_id].events.append(event)
    stances = (CommunityInput.objects.filter(event__school__in=summaries)
               .values("event__school").annotate(concerns=Count("pk", filter=Q(stance="concern")),
                                                 support=Count("pk", filter=Q(stance="support"))))
    for row in stances:
        summary = summaries[row["event__school"]]
        summary.concerns, summary.support = row["concerns"], row["support"]
    for school_id, summary in summaries.items():
        if summary.concerns or summary.support:
            summary.by_tag = tag_counts(CommunityInput.objects.filter(event__school_id=school_id))
    for objection in Objection.objects.filter(school__in=summaries).order_by("raised_on", "pk"):
        summaries[objection.school_id].objections.append(objection)
    return summaries


def total_attendance(events: QuerySet) -> int:
    return events.aggregate(people=Sum("attendance"))["people"] or 0
