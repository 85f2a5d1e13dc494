"""Pages of community engagement and school selection. Every record is read through engagement.access."""

from django.db.models import Count, F, Q
from django.urls import reverse

from improvenet.engagement import access as eng_access
from improvenet.engagement.forms import (
    CandidateForm,
    DecisionForm,
    EventFilterForm,
    EventForm,
    InputForm,
    ObjectionForm,
)
from improvenet.engagement.models import (
    Candidate,
    CommunityInput,
    EngagementEvent,
    Objection,
    SelectionDecision,
)
from improvenet.engagement.services import community_input, filter_events, tag_counts, total_attendance
from improvenet.network.access import school_for_user
from improvenet.pages import cluster_page, render_cluster, save_form


def _url(name: str, cluster, pk: int) -> str:
    return reverse(f"engagement:{name}", args=[cluster.slug, pk])


def _event_url(record: EngagementEvent | CommunityInput) -> str:
    """An event's page: where an event or one of its concerns and support leads after saving."""
    event = record.event if isinstance(record, CommunityInput) else record
    return _url("event", event.cluster, event.pk)


def _decision_url(record: SelectionDecision | Candidate) -> str:
    decision = record.decision if isinstance(record, Candidate) else record
    return _url("decision", decision.cluster, decision.pk)


def _objection_url(objection: Objection) -> str:
    return _url("objection", objection.cluster, objection.pk)


@cluster_page
def event_index(request, access):
    filters = EventFilterForm(request.GET)
    chosen = filters.chosen()
    events = filter_events(EngagementEvent.objects.select_related("school"), **chosen)
    counted = Q(inputs__withdrawn_at__isnull=True)
    events = events.annotate(
        concerns=Count("inputs", filter=counted & Q(inputs__stance=CommunityInput.Stance.CONCERN), distinct=True),
        support=Count("inputs", filter=counted & Q(inputs__stance=CommunityInput.Stance.SUPPORT), distinct=True),
    ).order_by("-held_on", "-pk")
    context = {"events": events, "chosen": chosen, "total_attendance": total_attendance(events), "filters": filters,
               "filtered": any(chosen.values())}
    return render_cluster(request, access, "engagement/index.html", context)


@cluster_page
def event_new(request, access):
    access.require_change()
    event = EngagementEvent(cluster=access.obj, created_by=request.user)
    form = EventForm(request.POST or None, instance=event)
    return save_form(request, form, title="Record an engagement event",
                     cancel_url=reverse("engagement:index", args=[access.obj.slug]), next_url=_event_url)


@cluster_page
def event_page(request, access, event_id: int):
    event = eng_access.event_for_user(access, event_id).obj
    inputs = event.inputs.prefetch_related("tags").order_by("stance", "pk")
    context = {"event": event, "inputs": inputs, "by_tag": tag_counts(event.inputs.all())}
    return render_cluster(request, access, "engagement/event.html", context)


@cluster_page
def event_edit(request, access, event_id: int):
    event = eng_access.event_for_user(access, event_id).require_change()
    form = EventForm(request.POST or None, instance=event)
    return save_form(request, form, title=f"Edit {event}",
                     cancel_url=_event_url(event), next_url=_event_url)


@cluster_page
def input_new(request, access, event_id: int):
    event = eng_access.event_for_user(access, event_id).require_change()
    form = InputForm(request.POST or None, instance=CommunityInput(event=event))
    return save_form(request, form, title=f"Add a concern or support raised at {event}",
                     cancel_url=_event_url(event), next_url=_event_url)


@cluster_page
def input_edit(request, access, input_id: int):
    record = eng_access.input_for_user(access, input_id).require_change()
    form = InputForm(request.POST or None, instance=record)
    return save_form(request, form, title=f"Edit a {record.get_stance_display().lower()} raised at {record.event}",
                     cancel_url=_event_url(record), next_url=_event_url)


@cluster_page
def objection_index(request, access):
    status = request.GET.get("status", "")
    objections = Objection.objects.select_related("school").order_by("school__name", "-raised_on", "-pk")
    if status in Objection.Status.values:
        objections = objections.filter(status=status)
    context = {"objections": objections, "status": status, "statuses": Objection.Status.choices}
    return render_cluster(request, access, "engagement/objections.html", context)


@cluster_page
def objection_new(request, access):
    access.require_change()
    form = ObjectionForm(request.POST or None, instance=Objection(cluster=access.obj))
    return save_form(request, form, title="Record an objection",
                     cancel_url=reverse("engagement:objections", args=[access.obj.slug]),
                     next_url=_objection_url)


@cluster_page
def objection_page(request, access, objection_id: int):
    objection = eng_access.objection_for_user(access, objection_id).obj
    candidacies = objection.candidacies.select_related("decision")
    context = {"objection": objection, "candidacies": candidacies}
    return render_cluster(request, access, "engagement/objection.html", context)


@cluster_page
def objection_edit(request, access, objection_id: int):
    objection = eng_access.objection_for_user(access, objection_id).require_change()
    form = ObjectionForm(request.POST or None, instance=objection)
    return save_form(request, form, title=f"Edit the {objection}",
                     cancel_url=_objection_url(objection), next_url=_objection_url)


@cluster_page
def school_page(request, access, school_id: int):
    school = school_for_user(access, school_id).obj
    summary = community_input([school])[school.pk]
    inputs = (CommunityInput.objects.filter(event__school=school).select_related("event")
              .prefetch_related("tags").order_by("-event__held_on", "stance", "pk"))
    candidacies = school.selection_candidacies.select_related("decision").order_by(
        F("decision__decided_on").desc(nulls_first=True))
    context = {"school": school, "summary": summary, "inputs": inputs, "candidacies": candidacies}
    return render_cluster(request, access, "engagement/school.html", context)


@cluster_page
def decision_index(request, access):
    decisions = SelectionDecision.objects.annotate(
        candidate_count=Count("candidates"),
        selected=Count("candidates", filter=Q(candidates__outcome=Candidate.Outcome.SELECTED)),
    ).order_by(*SelectionDecision._meta.ordering)
    return render_cluster(request, access, "engagement/decisions.html", {"decisions": decisions})


@cluster_page
def decision_new(request, access):
    access.require_change()
    decision = SelectionDecision(cluster=access.obj, created_by=request.user)
    form = DecisionForm(request.POST or None, instance=decision)
    return save_form(request, form, title="Start a school-selection decision",
                     cancel_url=reverse("engagement:decisions", args=[access.obj.slug]), next_url=_decision_url)


@cluster_page
def decision_page(request, access, decision_id: int):
    decision = eng_access.decision_for_user(access, decision_id).obj
    candidates = list(decision.candidates.select_related("school", "objection"))
    summaries = community_input([candidate.school for candidate in candidates])
    rows = [(candidate, summaries[candidate.school_id]) for candidate in candidates]
    context = {"decision": decision, "rows": rows,
               "undecided": [c for c in candidates if not c.outcome or not c.reason.strip()]}
    return render_cluster(request, access, "engagement/decision.html", context)


@cluster_page
def decision_edit(request, access, decision_id: int):
    decision = eng_access.decision_for_user(access, decision_id).require_change()
    form = DecisionForm(request.POST or None, instance=decision)
    return save_form(request, form, title=f"Edit “{decision}”",
                     cancel_url=_decision_url(decision), next_url=_decision_url)


@cluster_page
def candidate_new(request, access, decision_id: int):
    decision = eng_access.decision_for_user(access, decision_id).require_change()
    form = CandidateForm(request.POST or None, instance=Candidate(decision=decision))
    return save_form(request, form, title=f"Add a candidate school to “{decision}”",
                     cancel_url=_decision_url(decision), next_url=_decision_url)


@cluster_page
def candidate_edit(request, access, candidate_id: int):
    candidate = eng_access.candidate_for_user(access, candidate_id).require_change()
    form = CandidateForm(request.POST or None, instance=candidate)
    return save_form(request, form, title=f"Edit {candidate.school.name}'s candidacy",
                     cancel_url=_decision_url(candidate),
                     next_url=_decision_url)

