from django.urls import path, register_converter

from improvenet.network import views


class EditableKind:
    regex = "|".join(name for name, kind in views.RECORD_KINDS.items() if kind.form)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class EndableKind(EditableKind):
    regex = "|".join(views.RECORD_KINDS)


register_converter(EditableKind, "editable")
register_converter(EndableKind, "endable")

app_name = "network"

urlpatterns = [
    path("networks/", views.home, name="home"),
    path("networks/<slug:network>/", views.network_page, name="network"),
    path("networks/<slug:network>/clusters/new/", views.cluster_new, name="cluster_new"),
    path("clusters/<slug:cluster>/", views.cluster_home, name="cluster"),
    path("clusters/<slug:cluster>/edit/", views.cluster_edit, name="cluster_edit"),
    path("clusters/<slug:cluster>/directory/", views.directory_page, name="directory"),
    path("clusters/<slug:cluster>/running/", views.running_page, name="running"),
    path("clusters/<slug:cluster>/pyramids/<int:school_id>/", views.pyramid_page, name="pyramid"),
    path("clusters/<slug:cluster>/schools/<int:school_id>/", views.school_page, name="school"),
    path("clusters/<slug:cluster>/organizations/<int:organization_id>/", views.organization_page, name="organization"),
    path("clusters/<slug:cluster>/people/", views.people_page, name="people"),
    path("clusters/<slug:cluster>/people/<int:person_id>/", views.person_page, name="person"),
    path("clusters/<slug:cluster>/teams/<int:team_id>/", views.team_page, name="team"),
    path("clusters/<slug:cluster>/teams/<int:team_id>/members/new/", views.membership_new, name="membership_new"),
    path("clusters/<slug:cluster>/memberships/<int:membership_id>/edit/", views.membership_edit,
         name="membership_edit"),
    path("clusters/<slug:cluster>/phases/", views.phases_page, name="phases"),
    path("clusters/<slug:cluster>/phases/new/", views.phase_new, name="phase_new"),
    path("clusters/<slug:cluster>/phases/<int:phase_id>/edit/", views.phase_edit, name="phase_edit"),
    path("clusters/<slug:cluster>/<editable:kind>/new/", views.record_new, name="record_new"),
    path("clusters/<slug:cluster>/<editable:kind>/<int:record_id>/edit/", views.record_edit, name="record_edit"),
    path("clusters/<slug:cluster>/<endable:kind>/<int:record_id>/end/", views.record_end, name="record_end"),
]
