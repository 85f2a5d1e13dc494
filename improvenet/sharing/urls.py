from django.urls import path

from improvenet.sharing import views

app_name = "sharing"

c = "clusters/<slug:cluster>"
urlpatterns = [
    path("networks/<slug:network>/library/", views.library, name="library"),
    path("networks/<slug:network>/library/<int:publication_id>/", views.publication_page, name="publication"),
    path(f"{c}/sharing/", views.cluster_sharing, name="cluster"),
    path(f"{c}/sharing/publish/", views.publish_page, name="publish"),
    path(f"{c}/sharing/publications/<int:publication_id>/withdraw/", views.withdraw_page, name="withdraw"),
    path(f"{c}/sharing/adopt/<int:publication_id>/", views.adopt_page, name="adopt"),
    path(f"{c}/sharing/ideas/<int:idea_id>/", views.idea_lineage, name="idea"),
    path(f"{c}/teams/<int:team_id>/learned/", views.team_learned, name="team_learned"),
]
