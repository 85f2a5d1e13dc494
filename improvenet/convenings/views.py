"""Pages of convenings and their packets, on the web and as PDF downloads."""

from django.http import HttpResponse
from django.urls import reverse

from improvenet.convenings import access as conv_access
from improvenet.convenings.forms import ConveningForm
from improvenet.convenings.kept import kept_packet_pdf
from improvenet.convenings.models import Convening
from improvenet.convenings.packets import build_packet, packet_teams
from improvenet.network.models import Team
from improvenet.pages import cluster_page, render_cluster, save_form


def _url(convening: Convening) -> str:
    return reverse("convenings:convening", args=[convening.cluster.slug, convening.pk])


@cluster_page
def convening_index(request, access):
    convenings = list(Convening.objects.order_by("-held_on"))
    # Listed newest first, so each convening's previous one is the next in the list.
    windows = [(c, convenings[i + 1].held_on if i + 1 < len(convenings) else None) for i, c in enumerate(convenings)]
    return render_cluster(request, access, "convenings/index.html", {"windows": windows})


@cluster_page
def convening_new(request, access):
    access.require_change()
    convening = Convening(cluster=access.obj, created_by=request.user)
    form = ConveningForm(request.POST or None, instance=convening)
    return save_form(request, form, title="Plan a convening",
                      cancel_url=reverse("convenings:index", args=[access.obj.slug]), next_url=_url)


@cluster_page
def convening_edit(request, access, convening_id: int):
    convening = conv_access.convening_for_user(access, convening_id).require_change()
    form = ConveningForm(request.POST or None, instance=convening)
    return save_form(request, form, title=f"Edit {convening}",
                      cancel_url=_url(convening), next_url=_url)


def _packet_page(request, access, convening: Convening, team: Team | None):
    packet = build_packet(convening, team, with_svg=True)
    teams = packet_teams(convening.held_on)
    context = {"convening": convening, "packet": packet, "teams": teams}
    return render_cluster(request, access, "convenings/packet.html", context)


def _pdf_answer(convening: Convening, team: Team | None) -> HttpResponse:
    document = kept_packet_pdf(convening, team)
    response = HttpResponse(document.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@cluster_page
def convening_page(request, access, convening_id: int):
    return _packet_page(request, access, conv_access.convening_for_user(access, convening_id).obj, None)


@cluster_page
def convening_pdf(request, access, convening_id: int):
    return _pdf_answer(conv_access.convening_for_user(access, convening_id).obj, None)


@cluster_page
def team_packet_page(request, access, convening_id: int, team_id: int):
    convening = conv_access.convening_for_user(access, convening_id).obj
    return _packet_page(request, access, convening, conv_access.packet_team_for_user(access, team_id))


@cluster_page
def team_packet_pdf(request, access, convening_id: int, team_id: int):
    convening = conv_access.convening_for_user(access, convening_id).obj
    return _pdf_answer(convening, conv_access.packet_team_for_user(access, team_id))
