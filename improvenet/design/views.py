"""Pages of the shared design. Every object is read through improvenet.design.access."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from improvenet.design import access as dacc
from improvenet.design import driver_graph as dg
from improvenet.design import forms
from improvenet.design.models import (
    Adaptation,
    Aim,
    DesignChallenge,
    DriverDiagramVersion,
    Innovation,
    SchoolEnactment,
)
from improvenet.lib.errors import Conflict
from improvenet.network.models import current_on
from improvenet.pages import cluster_page, render_cluster, save_form
from improvenet.synthesis.services import evidence_in_brief


def design_page(view: Callable) -> Callable:
    """A cluster page whose `access.can_change` means: may change the shared design."""

    @cluster_page
    @wraps(view)
    def within_design(request, access, *args, **kwargs):
        return view(request, dacc.design_cluster(request.user, access), *args, **kwargs)

    return within_design


def _url(name: str, access, *args) -> str:
    return reverse(f"design:{name}", args=[access.obj.slug, *args])


@design_page
def design_home(request, access):
    challenges = DesignChallenge.objects.filter(current_on()).prefetch_related("aims").order_by("title")
    innovations = Innovation.objects.filter(current_on()).order_by("name")
    waiting = Adaptation.objects.filter(status=Adaptation.Status.AWAITING).select_related(
        "enactment__school", "enactment__innovation", "element")
    context = {"challenges": challenges, "innovations": innovations, "waiting": waiting}
    return render_cluster(request, access, "design/home.html", context)


# Challenges and aims ---------------------------------------------------------------------------


@design_page
def challenge_page(request, access, challenge_id: int):
    challenge = dacc.challenge_for_user(access, challenge_id).obj
    context = {"challenge": challenge, "aims": challenge.aims.order_by("target_date")}
    return render_cluster(request, access, "design/challenge.html", context)


@design_page
def challenge_new(request, access):
    form = forms.ChallengeForm(request.POST or None, instance=DesignChallenge(cluster=access.require_change()))
    return save_form(request, form, title="New design challenge", cancel_url=_url("home", access),
                     next_url=lambda c: _url("challenge", access, c.pk))


@design_page
def challenge_edit(request, access, challenge_id: int):
    challenge = dacc.challenge_for_user(access, challenge_id).require_change()
    url = _url("challenge", access, challenge.pk)
    form = forms.ChallengeForm(request.POST or None, instance=challenge)
    return save_form(request, form, title=f"Edit {challenge}", cancel_url=url, next_url=lambda c: url)


@design_page
def aim_new(request, access, challenge_id: int):
    challenge = dacc.challenge_for_user(access, challenge_id).require_change()
    form = forms.AimForm(request.POST or None, instance=Aim(challenge=challenge))
    return save_form(request, form, title=f"New aim for {challenge}",
                     cancel_url=_url("challenge", access, challenge.pk),
                     next_url=lambda aim: _url("aim", access, aim.pk))


@design_page
def aim_edit(request, access, aim_id: int):
    aim = dacc.aim_for_user(access, aim_id).require_change()
    url = _url("aim", access, aim.pk)
    form = forms.AimForm(request.POST or None, instance=aim)
    return save_form(request, form, title="Edit the aim", cancel_url=url, next_url=lambda a: url)


# Driver diagrams -------------------------------------------------------------------------------


def _tree(graph: dg.Graph) -> list[dict]:
    """The diagram as a nested list under the aim (a node met twice is listed under each of its drivers)."""

    def branch(node: dg.Node, seen: tuple[str, ...]) -> dict:
        children = [branch(child, seen + (child.key,)) for child in graph.children(node.key) if child.key not in seen]
        return {"node": node, "label": dg.KIND_LABELS[node.kind], "children": children}

    return [branch(root, (root.key,)) for root in graph.roots()]


def picture(graph: dg.Graph, aim: Aim) -> dict:
    """What the SVG template draws: boxes with their lines of text, connectors and column headings."""
    placed = dg.layout(graph, aim.statement)
    kinds = {node.key: node.kind for node in graph.nodes}
    boxes = [
        {"x": b.x, "y": b.y, "width": b.width, "height": b.height, "kind": kinds.get(b.key, "aim"),
         "lines": [{"x": b.x + 8, "y": b.y + 8 + 12 + 16 * i, "text": line} for i, line in enumerate(b.lines)]}
        for b in placed.boxes
    ]
    headings = [{"x": x, "text": text} for x, text in zip(placed.column_x, dg.COLUMN_TITLES, strict=True)]
    return {"width": placed.width, "height": placed.height, "boxes": boxes, "connectors": placed.connectors,
            "headings": headings}


def _version_context(aim: Aim, version: DriverDiagramVersion | None) -> dict:
    graph = version.graph() if version else dg.Graph()
    versions = list(aim.diagram().versions.select_related("saved_by").order_by("-number"))
    return {
        "aim": aim, "version": version, "versions": versions,
        "tree": _tree(graph), "picture": picture(graph, aim) if version else None,
        "is_current": bool(version and versions and version.number == versions[0].number),
        "innovations": aim.innovations.filter(current_on()),
    }


@design_page
def aim_page(request, access, aim_id: int):
    aim = dacc.aim_for_user(access, aim_id).obj
    return render_cluster(request, access, "design/aim.html", _version_context(aim, aim.diagram().current()))


@design_page
def version_page(request, access, aim_id: int, number: int):
    aim = dacc.aim_for_user(access, aim_id).obj
    version = aim.diagram().version(number)
    if version is None:
        raise Http404(f"The driver diagram has no version {number}.")
    return render_cluster(request, access, "design/version.html", _version_context(aim, version))


@design_page
def compare_page(request, access, aim_id: int):
    aim = dacc.aim_for_user(access, aim_id).obj
    diagram = aim.diagram()
    numbers = list(diagram.versions.order_by("number").values_list("number", flat=True))
    try:
        before = int(request.GET.get("from") or (numbers[-2] if len(numbers) > 1 else 1))
        after = int(request.GET.get("to") or (numbers[-1] if numbers else 1))
    except ValueError as error:
        raise Http404("Versions are numbers.") from error
    older, newer = diagram.version(before), diagram.version(after)
    if older is None or newer is None:
        raise Http404("The driver diagram has no such version.")
    a, b = older.graph(), newer.graph()
    texts = {**a.by_key(), **b.by_key()}
    change = dg.diff(a, b)

    def link(pair):
        return {"parent": texts[pair[0]].text, "child": texts[pair[1]].text}

    context = {
        "aim": aim, "older": older, "newer": newer, "numbers": numbers, "change": change,
        "links_added": [link(p) for p in change.links_added],
        "links_removed": [link(p) for p in change.links_removed],
    }
    return render_cluster(request, access, "design/compare.html", context)


@design_page
def diagram_edit(request, access, aim_id: int):
    aim = dacc.aim_for_user(access, aim_id).require_change()
    diagram = aim.diagram()
    current = diagram.current()
    initial = {"outline": dg.to_outline(current.graph()) if current else "", "based_on": current.number if current
               else None}
    form = forms.DiagramForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                version = diagram.save_version(form.cleaned_data["outline"], user=request.user,
                                               note=form.cleaned_data["note"], based_on=form.cleaned_data["based_on"])
        except ValidationError as error:
            for messages_ in error.message_dict.values():
                for message in messages_:
                    form.add_error(None, message)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, f"Saved version {version.number} of the driver diagram.")
            return redirect(_url("aim", access, aim.pk))
    context = {"aim": aim, "form": form, "current": current,
               "title": f"New version of the driver diagram for “{aim}”", "cancel_url": _url("aim", access, aim.pk)}
    return render_cluster(request, access, "design/diagram_form.html", context, status=422 if form.errors else 200)


# Innovations, enactments, adaptations ----------------------------------------------------------


@design_page
def innovation_page(request, access, innovation_id: int):
    innovation = dacc.innovation_for_user(access, innovation_id).obj
    enactments = list(innovation.enactments.select_related("school").order_by("school__name"))
    adaptations = (Adaptation.objects.filter(enactment__innovation=innovation)
                   .select_related("enactment__school", "element", "decided_by"))
    for enactment in enactments:
        enactment.can_adapt = dacc.can_record_adaptation(request.user, access, enactment)
        enactment.listed = [a for a in adaptations if a.enactment_id == enactment.pk]
    waiting = [a for a in adaptations if a.awaiting_decision]
    accepted = {v.adaptation_id: v.number for v in DriverDiagramVersion.objects.filter(adaptation__in=adaptations)}
    for adaptation in adaptations:
        adaptation.version_number = accepted.get(adaptation.pk)
    core = list(innovation.core_elements().select_related("change_idea"))
    for element in core:
        element.evidence = evidence_in_brief(access.obj, element.change_idea) if element.change_idea else ""
    context = {
        "innovation": innovation, "core": core, "adaptable": innovation.adaptable_elements(),
        "change_ideas": innovation.change_ideas.order_by("title"), "enactments": enactments,
        "waiting": [(a, forms.DecisionForm(auto_id=f"id_a{a.pk}_%s")) for a in waiting],
        "decided": [a for a in adaptations if a.status in (Adaptation.Status.ACCEPTED, Adaptation.Status.BROUGHT_BACK)],
    }
    return render_cluster(request, access, "design/innovation.html", context)


@design_page
def innovation_new(request, access):
    form = forms.InnovationForm(request.POST or None, instance=Innovation(cluster=access.require_change()))
    return save_form(request, form, title="New innovation", cancel_url=_url("home", access),
                     next_url=lambda innovation: _url("innovation", access, innovation.pk))


@design_page
def innovation_edit(request, access, innovation_id: int):
    innovation = dacc.innovation_for_user(access, innovation_id).require_change()
    url = _url("innovation", access, innovation.pk)
    form = forms.InnovationForm(request.POST or None, instance=innovation)
    return save_form(request, form, title=f"Edit {innovation}", cancel_url=url, next_url=lambda i: url)


@design_page
def enactment_new(request, access, innovation_id: int):
    innovation = dacc.innovation_for_user(access, innovation_id).require_change()
    url = _url("innovation", access, innovation.pk)
    form = forms.EnactmentForm(request.POST or None, instance=SchoolEnactment(innovation=innovation))
    return save_form(request, form, title=f"A school enacts {innovation}", cancel_url=url, next_url=lambda e: url)


@design_page
def adaptation_new(request, access, enactment_id: int):
    enactment = dacc.enactment_for_user(access, enactment_id).obj
    if not dacc.can_record_adaptation(request.user, access, enactment):
        raise PermissionDenied("Only the school's design team or the district design team records its adaptations.")
    url = _url("innovation", access, enactment.innovation_id)
    form = forms.AdaptationForm(request.POST or None, instance=Adaptation(enactment=enactment))
    return save_form(request, form, title=f"New adaptation in {enactment.school}", cancel_url=url,
                     next_url=lambda a: url)


@design_page
def adaptation_decide(request, access, adaptation_id: int):
    adaptation = dacc.adaptation_for_user(access, adaptation_id).require_change()
    url = _url("innovation", access, adaptation.enactment.innovation_id)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                version = adaptation.decide(form.cleaned_data["decision"], form.cleaned_data["reason"], request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            done = (f"Accepted into the shared design as version {version.number} of the driver diagram."
                    if version else "Brought back within bounds.")
            messages.success(request, done)
            return redirect(url)
    context = {"adaptation": adaptation, "form": form, "cancel_url": url}
    return render_cluster(request, access, "design/decide.html", context, status=422 if form.errors else 200)
