"""A study shared with another cluster of the network: that cluster's members find it on their studies list and
read its summary and evidence statement (page and API), nothing else of its cluster; a cluster it is not shared
with sees nothing of it."""

import re

from django_scopes import scopes_disabled

from improvenet.network.models import Cluster, ClusterRole
from tests.conftest import make_user

C = "/clusters/alpha/studies"


def test_members_of_a_shared_with_cluster_read_the_summary_only(client, api_as, world, study):
    with scopes_disabled():
        study.shared_with.add(world.beta)
    client.force_login(world.users.outsider)  # Beta's lead, with no role in Alpha
    listed = client.get("/clusters/beta/studies/").content.decode()
    assert "Shared with Beta" in listed and f'href="{C}/{study.pk}/"' in listed
    page = client.get(f"{C}/{study.pk}/")
    assert page.status_code == 200
    assert "Success teams trial" in page.content.decode() and "Your role shows the study's summary" in (
        page.content.decode())
    assert client.get(f"{C}/{study.pk}/statement/").status_code == 200
    # Every link of the two pages leads somewhere the reader may go: no cluster menu, no crumbs into Alpha.
    for path in (f"{C}/{study.pk}/", f"{C}/{study.pk}/statement/"):
        links = set(re.findall(r'href="(/[^"#]*)"', client.get(path).content.decode())) - {"/accounts/logout/"}
        assert links, path
        for link in links:
            assert client.get(link).status_code == 200, f"{path} links to {link}, which its reader may not open"
    for closed in ("allocation/", "impact/", "edit/"):
        assert client.get(f"{C}/{study.pk}/{closed}").status_code == 404
    assert client.post(f"{C}/{study.pk}/register/").status_code == 404
    assert client.get(f"{C}/").status_code == 404
    api = api_as(world.users.outsider)
    assert api.get(f"{C}/{study.pk}").json()["title"] == "Success teams trial"
    assert api.get(f"{C}/{study.pk}/allocations").status_code == 404
    assert api.patch(f"{C}/{study.pk}", {"title": "Renamed"}).status_code == 404


def test_a_cluster_the_study_is_not_shared_with_sees_nothing(client, api_as, world, study):
    with scopes_disabled():
        gamma = Cluster.objects.create(network=world.network, slug="gamma", name="Gamma")
        stranger = make_user("gamma-lead")
        ClusterRole.objects.create(cluster=gamma, user=stranger, role="lead")
        study.shared_with.add(world.beta)
    client.force_login(stranger)
    assert "Success teams trial" not in client.get("/clusters/gamma/studies/").content.decode()
    assert client.get(f"{C}/{study.pk}/").status_code == 404
    assert client.get(f"{C}/{study.pk}/statement/").status_code == 404
    assert api_as(stranger).get(f"{C}/{study.pk}").status_code == 404
    # Not shared yet: Beta's members do not read it either.
    with scopes_disabled():
        study.shared_with.clear()
    client.force_login(world.users.outsider)
    assert client.get(f"{C}/{study.pk}/").status_code == 404
    assert "Success teams trial" not in client.get("/clusters/beta/studies/").content.decode()
