"""The standing panel: members by constituency, proposals, votes, decisions and the research agenda."""
from django.urls import path

from improvenet.governance import views

app_name = "governance"

c = "clusters/<slug:cluster>/panel"
urlpatterns = [
    path(f"{c}/", views.panel_page, name="panel"),
    path(f"{c}/members/new/", views.member_new, name="member_new"),
    path(f"{c}/members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path(f"{c}/proposals/new/", views.proposal_new, name="proposal_new"),
    path(f"{c}/proposals/<int:proposal_id>/edit/", views.proposal_edit, name="proposal_edit"),
    path(f"{c}/votes/new/", views.vote_new, name="vote_new"),
    path(f"{c}/votes/<int:vote_id>/", views.vote_page, name="vote"),
    path(f"{c}/votes/<int:vote_id>/ballots/", views.ballot_record, name="ballot_record"),
    path(f"{c}/votes/<int:vote_id>/close/", views.vote_close, name="vote_close"),
    path(f"{c}/votes/<int:vote_id>/decision/", views.decision_new, name="decision_new"),
    path("clusters/<slug:cluster>/research-agenda/", views.agenda_page, name="agenda"),
]
