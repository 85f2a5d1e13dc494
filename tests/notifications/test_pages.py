"""A person's notification list, opening one, the unread count, and the API: their own, in clusters they read."""

from django.template import Context, Template
from django.test import RequestFactory
from django_scopes import scopes_disabled

from improvenet.network.models import ClusterRole
from improvenet.notifications.models import Notification


def notify(world, user, text="A vote opened: “Spring priorities”.", cluster=None, key="vote:1:opened"):
    with scopes_disabled():
        return Notification.objects.create(cluster=cluster or world.alpha, recipient=user, kind="vote_opened",
                                           text=text, url="/clusters/alpha/", key=key)


def unread_include(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template('{% include "notifications/_unread.html" %}').render(Context({"request": request, "user": user}))


def test_the_list_shows_unread_first_opening_one_marks_it_read_and_goes_to_its_page(world, client):
    first = notify(world, world.users.member)
    notify(world, world.users.member, "An older one.", key="vote:2:opened")
    notify(world, world.users.viewer, "Someone else's.", key="vote:3:opened")
    client.force_login(world.users.member)
    page = client.get("/notifications/").content.decode()
    assert "2 unread." in page and "A vote opened: “Spring priorities”." in page and "Someone else" not in page
    assert ">2<span class=\"visually-hidden\"> unread</span>" in unread_include(world.users.member)
    answer = client.post(f"/notifications/{first.pk}/open/")
    assert answer.status_code == 302 and answer["Location"] == "/clusters/alpha/"
    assert "1 unread." in client.get("/notifications/").content.decode()
    assert "An older one." in client.get("/notifications/?show=unread").content.decode()
    assert "“Spring priorities”" not in client.get("/notifications/?show=unread").content.decode()
    assert client.post("/notifications/read-all/").status_code == 302
    assert "Nothing unread." in client.get("/notifications/").content.decode()
    assert "badge" not in unread_include(world.users.member)


def test_nobody_opens_another_persons_notification_nor_one_of_a_cluster_they_left(world, client, api_as):
    theirs = notify(world, world.users.viewer)
    client.force_login(world.users.member)
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert api_as(world.users.member).post(f"/notifications/{theirs.pk}/read").status_code == 404
    with scopes_disabled():
        ClusterRole.objects.filter(user=world.users.viewer).delete()
    assert api_as(world.users.viewer).get("/notifications").json()["count"] == 0
    assert "badge" not in unread_include(world.users.viewer)


def test_the_api_lists_marks_read_and_turns_the_digest_on(world, api_as):
    mine = notify(world, world.users.member)
    member = api_as(world.users.member)
    listed = member.get("/notifications", unread="true").json()
    assert listed["count"] == 1
    assert listed["items"][0] | {"created_at": None} == {
        "id": mine.pk, "cluster": "alpha", "kind": "vote_opened", "text": "A vote opened: “Spring priorities”.",
        "url": "/clusters/alpha/", "created_at": None, "read_at": None}
    assert member.post(f"/notifications/{mine.pk}/read").json()["read_at"] is not None
    assert member.get("/notifications", unread="true").json()["count"] == 0
    assert member.patch("/notifications/digest", {"weekly": True}).json() == {"weekly": True}
    assert member.patch("/notifications/digest", {"weekly": "yes"}).status_code == 422
    assert api_as(None).get("/notifications").status_code == 401


def test_the_digest_choice_page(world, client):
    client.force_login(world.users.member)
    assert "The weekly e-mail digest is <strong>off</strong>" in client.get("/notifications/").content.decode()
    assert client.post("/notifications/digest/", {"weekly": "on"}).status_code == 302
    assert "The weekly e-mail digest is <strong>on</strong>" in client.get("/notifications/").content.decode()
