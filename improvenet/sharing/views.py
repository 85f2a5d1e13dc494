"""Pages of sharing between clusters, and of what a team has learned.

The network library and a publication's page open the network's scope only (improvenet.sharing.access),
so they show publications' snapshots and never the publishing cluster's own records. The library lists the
studies published to the network too (improvenet.studies.publishing), each linking to its study page. Pages under a
cluster open that cluster's scope together with its network's.
"""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse

from improvenet.design.access import change_idea_for_user
from improvenet.lib.errors import Conflict
from improvenet.network.access import can_change_shared_design, team_for_user
from improvenet.network.models import Cluster, current_on
from improvenet.pages import cluster_page, form_page, render_cluster
from improvenet.sharing import access as sacc
from improvenet.sharing import forms
from improvenet.sharing.learned import team_learning
from improvenet.sharing.models import Adoption, Publication
from improvenet.sharing.services import publish
from improvenet.studies.models import StudyPublication

# Pages under a cluster open its network's library scope too: the library reads across the network.
cluster_sharing_page = cluster_page(enter=sacc.in_cluster_library)


def publication_url(publication: Publication) -> str:
    return reverse("sharing:publication", args=[publication.cluster.network.slug, publication.pk])


# The network library -----------------------------------------------------------------------------


@login_required
def library(request, network: str):
    with sacc.in_library(request.user, network) as access:
        # Only the clusters that published: the library does not reveal the network's other clusters.
        published_by = Cluster.objects.filter(Q(pk__in=Publication.in_network.values("cluster_id"))
                                              | Q(pk__in=StudyPublication.in_network.values("cluster_id")))
        clusters = list(published_by.order_by("name"))
        filters = forms.LibraryFilters(request.GET or None, clusters=clusters)
        publications = Publication.in_network.select_related("cluster").annotate(adoption_count=Count("adoptions"))
        studies = StudyPublication.in_network.select_related("cluster")
        if filters.is_valid():
            chosen = filters.cleaned_data
            publications = _chosen(publications, chosen)
            # A study has no level of evidence of the change ideas' scale: its ESSA tier says how strong it is.
            studies = _chosen(studies, chosen)
            if chosen["evidence_level"]:
                publications = publications.filter(evidence_level=chosen["evidence_level"])
        elif filters.is_bound:  # the form shows what is wrong with the filters; nothing matches them
            publications, studies = publications.none(), studies.none()
        else:
            publications, studies = publications.filter(current_on()), studies.filter(current_on())
        context = {"network": access.obj, "access": access, "filters": filters, "publications": list(publications),
                   "studies": list(studies)}
        return render(request, "sharing/library.html", context)


def _chosen(records, chosen: dict):
    """A library list filtered by the title, the publishing cluster and whether withdrawn records show."""
    if chosen["q"]:
        records = records.filter(title__icontains=chosen["q"])
    if chosen["cluster"]:
        records = records.filter(cluster__slug=chosen["cluster"])
    return records if chosen["withdrawn"] else records.filter(current_on())


@login_required
def publication_page(request, network: str, publication_id: int):
    with sacc.in_library(request.user, network) as access:
        publication = sacc.publication_in_library(publication_id)
        adoptions = list(Adoption.in_network.filter(publication=publication).select_related("cluster"))
        adopted_by = {adoption.cluster_id for adoption in adoptions}
        adoptable = sacc.adoptable_clusters(request.user, publication) if publication.is_current else []
        context = {
            "network": access.obj,
            "publication": publication,
            "snapshot": publication.snapshot,
            "adoptions": adoptions,
            "adopt_into": [cluster for cluster in adoptable if cluster.pk not in adopted_by],
            "can_withdraw": publication.is_current and sacc.may_share_for(request.user, publication.cluster),
        }
        return render(request, "sharing/publication.html", context)


# A cluster's sharing -----------------------------------------------------------------------------


@cluster_sharing_page
def cluster_sharing(request, access):
    publications = list(Publication.objects.select_related("published_by").order_by("-published_at"))
    adoptions_of = {}
    for adoption in Adoption.in_network.filter(publication__in=publications).select_related("cluster"):
        adoptions_of.setdefault(adoption.publication_id, []).append(adoption)
    context = {
        "published": [(p, adoptions_of.get(p.pk, [])) for p in publications],
        "adopted": list(Adoption.objects.select_related("change_idea", "publication")),
        "can_share": can_change_shared_design(request.user, access),
    }
    return render_cluster(request, access, "sharing/cluster.html", context)


@cluster_sharing_page
def publish_page(request, access):
    cluster = sacc.require_sharing(request.user, access)
    form = forms.PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publication = publish(form.cleaned_data["change_idea"], request.user,
                                  names_schools=form.cleaned_data["names_schools"])
        except Conflict as conflict:
            form.add_error("change_idea", conflict.message)
        else:
            messages.success(request, f"Published “{publication}” to {cluster.network}.")
            return redirect(publication_url(publication))
    intro = ("The network's other clusters will read the idea's title and description, its level of evidence "
             "and the reasons, and its decided PDSA cycles without names: each cycle's scale, school level and "
             "role, objective, predictions and outcomes, learning and decision. Never who ran a cycle, its "
             "observations or data. E-mail addresses, phone numbers, id numbers and your people's names are "
             "removed from the text.")
    return form_page(request, form, title="Publish a change idea to the network", submit_label="Publish",
                     cluster=cluster, intro=intro, cancel_url=reverse("sharing:cluster", args=[cluster.slug]))


@cluster_sharing_page
def withdraw_page(request, access, publication_id: int):
    publication = sacc.publication_of_cluster(request.user, access, publication_id).require_change()
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                publication.withdraw(request.user, form.cleaned_data["reason"])
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Withdrew “{publication}”; the clusters that adopted it keep their ideas.")
            return redirect(publication_url(publication))
    return form_page(request, form, title=f"Withdraw “{publication}”", submit_label="Withdraw", cluster=access.obj,
                     cancel_url=publication_url(publication))


@cluster_sharing_page
def adopt_page(request, access, publication_id: int):
    cluster = sacc.require_sharing(request.user, access, sacc.CANNOT_ADOPT)
    publication = sacc.publication_in_library(publication_id)
    form = forms.AdoptForm(request.POST or None, initial={"title": publication.title})
    if request.method == "POST" and form.is_valid():
        try:
            adoption = publication.adopt(cluster, request.user, form.cleaned_data["title"])
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, f"Adopted “{publication}” into {cluster}: plan its first PDSA cycle here.")
            return redirect(reverse("sharing:idea", args=[cluster.slug, adoption.change_idea_id]))
    intro = (f"Start “{publication}” from {publication.cluster} as a change idea of {cluster}'s shared design. "
             "The publication will list this adoption, and the new idea keeps where it came from.")
    return form_page(request, form, title=f"Adopt “{publication}” into {cluster}", submit_label="Adopt",
                     cluster=cluster, intro=intro, cancel_url=publication_url(publication))


@cluster_sharing_page
def idea_lineage(request, access, idea_id: int):
    idea = change_idea_for_user(access, idea_id).obj
    publications = list(Publication.objects.filter(change_idea=idea).order_by("-published_at"))
    context = {
        "idea": idea,
        "source": Adoption.objects.filter(change_idea=idea).select_related("publication__cluster__network").first(),
        "publications": publications,
        "adoptions": list(Adoption.in_network.filter(publication__in=publications).select_related("cluster")),
    }
    return render_cluster(request, access, "sharing/idea.html", context)


# What a team has learned -------------------------------------------------------------------------


@cluster_sharing_page
def team_learned(request, access, team_id: int):
    team = team_for_user(access, team_id).obj
    return render_cluster(request, access, "sharing/learned.html", {"team": team, "learned": team_learning(team)})
