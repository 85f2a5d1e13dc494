"""Pages of the network model. Every object is read through improvenet.network.access."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from improvenet.home.menu import AREAS, sections_for
from improvenet.home.overview import cluster_overview
from improvenet.network import access as acc
from improvenet.network import forms
from improvenet.network.models import (
    Cluster,
    Membership,
    Organization,
    Person,
    Phase,
    School,
    Team,
    cluster_phases,
    current_on,
    current_phase,
)
from improvenet.pages import cluster_page, end_record, render_cluster, save_form


@login_required
def home(request):
    networks = acc.visible_networks(request.user).prefetch_related(
        Prefetch("clusters", queryset=acc.visible_clusters(request.user).order_by("name"), to_attr="visible")
    )
    return render(request, "network/home.html", {"networks": networks})


@login_required
def network_page(request, network: str):
    access = acc.network_for_user(request.user, network)
    clusters = acc.visible_clusters(request.user).filter(network=access.obj).order_by("name")
    return render(request, "network/network.html", {"network": access.obj, "access": access, "clusters": clusters})


@login_required
def cluster_new(request, network: str):
    network_obj = acc.network_for_user(request.user, network).require_change()
    form = forms.NewClusterForm(request.POST or None, instance=Cluster(network=network_obj))
    return save_form(
        request, form, title=f"New cluster in {network_obj}",
        cancel_url=reverse("network:network", args=[network]),
        next_url=lambda cluster: reverse("network:cluster", args=[cluster.slug]),
    )


@cluster_page
def cluster_home(request, access):
    return render_cluster(request, access, "network/cluster.html", cluster_overview(access.obj))


@cluster_page
def directory_page(request, access):
    teams = (
        Team.objects.filter(current_on())
        .select_related("school")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(current_on()).select_related("person").order_by("person__family_name"),
                to_attr="current_members",
            )
        )
        .order_by("kind", "name")
    )
    partners = Organization.objects.filter(current_on(), school__isnull=True).order_by("kind", "name")
    context = {"pyramids": access.obj.pyramids(), "teams": teams, "partners": partners}
    return render_cluster(request, access, "network/directory.html", context)


@cluster_page
def running_page(request, access):
    area = next(area for area in AREAS if area.key == "running")
    return render_cluster(request, access, "network/running.html",
                          {"sections": sections_for(area, request.user, access)})


@cluster_page
def cluster_edit(request, access):
    form = forms.ClusterForm(request.POST or None, instance=access.require_change())
    return save_form(
        request, form, title=f"Edit {access.obj}", cancel_url=reverse("network:cluster", args=[access.obj.slug]),
        next_url=lambda cluster: reverse("network:cluster", args=[cluster.slug]),
    )


@cluster_page
def pyramid_page(request, access, school_id: int):
    head = acc.school_for_user(access, school_id).obj
    if head.level != School.Level.HIGH:
        raise Http404("A pyramid is named by its high school.")
    schools = head.pyramid().schools
    teams = Team.objects.filter(current_on(), school__in=schools).select_related("school")
    context = {"head": head, "schools": schools, "teams": teams}
    return render_cluster(request, access, "network/pyramid.html", context)


@cluster_page
def school_page(request, access, school_id: int):
    school = acc.school_for_user(access, school_id).obj
    context = {
        "school": school,
        "feeders": school.pyramid().feeders,
        "teams": Team.objects.filter(school=school).order_by("name"),
        "staff": Person.objects.filter(current_on(), home_organization_id=school.pk).order_by("family_name"),
    }
    return render_cluster(request, access, "network/school.html", context)


@cluster_page
def organization_page(request, access, organization_id: int):
    organization = acc.organization_for_user(access, organization_id).obj
    people = Person.objects.filter(home_organization=organization).order_by("family_name", "given_name")
    context = {"organization": organization, "people": people}
    return render_cluster(request, access, "network/organization.html", context)


@cluster_page
def people_page(request, access):
    query = request.GET.get("q", "").strip()
    people = Person.objects.filter(current_on()).select_related("home_organization")
    if query:
        people = people.filter(
            Q(given_name__icontains=query) | Q(family_name__icontains=query) | Q(title__icontains=query)
        )
    people = people.annotate(teams=Count("memberships", filter=current_on(via="memberships__"))).order_by(
        "family_name", "given_name"
    )
    template = "network/people_rows.html" if request.headers.get("HX-Request") else "network/people.html"
    return render_cluster(request, access, template, {"people": people, "query": query})


@cluster_page
def person_page(request, access, person_id: int):
    person = acc.person_for_user(access, person_id).obj
    memberships = person.memberships.select_related("team", "home_organization").order_by("-started_on")
    context = {"person": person, "memberships": memberships}
    return render_cluster(request, access, "network/person.html", context)


@cluster_page
def team_page(request, access, team_id: int):
    team = acc.team_for_user(access, team_id).obj
    memberships = list(team.memberships.select_related("person", "home_organization").order_by("person__family_name"))
    context = {
        "team": team,
        "current": [m for m in memberships if m.is_current],
        "past": sorted((m for m in memberships if not m.is_current), key=lambda m: m.ended_on, reverse=True),
    }
    return render_cluster(request, access, "network/team.html", context)


# Create and edit -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordKind:
    """A kind of cluster record as the generic new/edit/end pages handle it."""

    label: str
    read: Callable
    model: type | None = None
    form: type | None = None  # None: no generic new and edit pages (memberships have their own)


RECORD_KINDS = {
    "organizations": RecordKind("organization", acc.organization_for_user, Organization, forms.OrganizationForm),
    "schools": RecordKind("school", acc.school_for_user, School, forms.SchoolForm),
    "people": RecordKind("person", acc.person_for_user, Person, forms.PersonForm),
    "teams": RecordKind("team", acc.team_for_user, Team, forms.TeamForm),
    "memberships": RecordKind("membership", acc.membership_for_user),
}


def _record_url(cluster: Cluster, kind: str, record) -> str:
    if kind == "memberships":
        return reverse("network:team", args=[cluster.slug, record.team_id])
    return reverse(f"network:{RECORD_KINDS[kind].label}", args=[cluster.slug, record.pk])


@cluster_page
def record_new(request, access, kind: str):
    record_kind = RECORD_KINDS[kind]
    cluster = access.obj
    form = record_kind.form(request.POST or None, instance=record_kind.model(cluster=access.require_change()))
    return save_form(
        request, form, title=f"New {record_kind.label}", cancel_url=reverse("network:directory", args=[cluster.slug]),
        next_url=lambda record: _record_url(cluster, kind, record),
    )


@cluster_page
def record_edit(request, access, kind: str, record_id: int):
    record_kind = RECORD_KINDS[kind]
    record = record_kind.read(access, record_id).require_change()
    url = _record_url(access.obj, kind, record)
    form = record_kind.form(request.POST or None, instance=record)
    return save_form(
        request, form, title=f"Edit {record_kind.label} {record}", cancel_url=url, next_url=lambda r: url
    )


@cluster_page
def membership_new(request, access, team_id: int):
    team = acc.team_for_user(access, team_id).require_change()
    form = forms.MembershipForm(request.POST or None, instance=Membership(team=team))
    url = reverse("network:team", args=[access.obj.slug, team.pk])
    return save_form(request, form, title=f"Add a member to {team}", cancel_url=url, next_url=lambda m: url)


@cluster_page
def membership_edit(request, access, membership_id: int):
    membership = acc.membership_for_user(access, membership_id).require_change()
    url = reverse("network:team", args=[access.obj.slug, membership.team_id])
    form = forms.MembershipForm(request.POST or None, instance=membership)
    return save_form(request, form, title=f"Edit {membership}", cancel_url=url, next_url=lambda m: url)


@require_POST
@cluster_page
def record_end(request, access, kind: str, record_id: int):
    record = RECORD_KINDS[kind].read(access, record_id).require_change()
    return end_record(request, record, forms.EndForm(request.POST), _record_url(access.obj, kind, record))


# Phases ---------------------------------------------------------------------------------------


@cluster_page
def phases_page(request, access):
    phases = cluster_phases()
    context = {"phases": phases, "current_phase": current_phase(phases)}
    return render_cluster(request, access, "network/phases.html", context)


@cluster_page
def phase_new(request, access):
    url = reverse("network:phases", args=[access.obj.slug])
    form = forms.PhaseForm(request.POST or None, instance=Phase(cluster=access.require_change()))
    return save_form(request, form, title="New phase",
                     cancel_url=url, next_url=lambda phase: url, context={"intro": PHASE_INTRO})


@cluster_page
def phase_edit(request, access, phase_id: int):
    phase = acc.phase_for_user(access, phase_id).require_change()
    url = reverse("network:phases", args=[access.obj.slug])
    form = forms.PhaseForm(request.POST or None, instance=phase)
    return save_form(request, form, title=f"Edit the phase {phase}",
                     cancel_url=url, next_url=lambda p: url, context={"intro": PHASE_INTRO})


PHASE_INTRO = (
    "Phases follow one another in this order: research, design and development, initial implementation, "
    "full implementation, scale out. They do not overlap; only the latest may be left without an end date."
)
