"""Pages of convenings: the index, the form, the packets on the web and as PDF."""

import io

from django_scopes import scopes_disabled
from pypdf import PdfReader

from improvenet.convenings.models import Convening
from improvenet.network.models import Team

C = "/clusters/alpha/convenings"


def test_the_index_lists_each_convening_with_its_window(client, convened):
    client.force_login(convened.world.users.viewer)
    page = client.get(f"{C}/").content.decode()
    assert "Spring convening" in page and "Winter convening" in page
    assert "After January 29, 2025 up to April 10, 2025" in page
    assert "Everything up to January 29, 2025 (the first convening)" in page
    assert "Plan a convening" not in page  # a viewer reads, does not plan
    client.force_login(convened.world.users.lead)
    assert "Plan a convening" in client.get(f"{C}/").content.decode()


def test_the_lead_plans_a_convening_and_a_clash_of_days_is_a_form_error(client, convened):
    client.force_login(convened.world.users.lead)
    answer = client.post(f"{C}/new/", {"held_on": "2025-07-10", "title": "Summer convening", "place": "Gym"})
    with scopes_disabled():
        summer = Convening.objects.get(title="Summer convening")
    assert answer.status_code == 302 and answer["Location"] == f"{C}/{summer.pk}/"
    assert summer.cluster == convened.world.alpha and summer.created_by == convened.world.users.lead
    clash = client.post(f"{C}/new/", {"held_on": "2025-04-10", "title": "Twin"})
    assert clash.status_code == 422
    assert "already has a convening on April 10, 2025" in clash.content.decode()
    missing = client.post(f"{C}/{summer.pk}/edit/", {"held_on": "", "title": ""})
    assert missing.status_code == 422 and "This field is required." in missing.content.decode()
    with scopes_disabled():
        assert Convening.objects.filter(cluster=convened.world.alpha).count() == 3


def test_the_packet_pages_show_the_content_and_link_the_pdf(client, convened):
    client.force_login(convened.world.users.member)
    page = client.get(f"{C}/{convened.spring.pk}/").content.decode()
    assert "Spring convening: packet of Alpha" in page
    assert "Goal conferences with a tracker" in page and "Exit tickets in the middle school" in page
    assert f"{C}/{convened.spring.pk}/packet.pdf" in page
    assert "data:image/svg+xml;base64," in page
    team = client.get(f"{C}/{convened.spring.pk}/teams/{convened.world.team.pk}/").content.decode()
    assert "packet of Alpha High design team" in team and "Exit tickets in the middle school" not in team
    assert f"{C}/{convened.spring.pk}/teams/{convened.world.team.pk}/packet.pdf" in team


def test_the_pdf_downloads_are_named_after_the_cluster_date_and_school(client, convened):
    client.force_login(convened.world.users.viewer)
    answer = client.get(f"{C}/{convened.spring.pk}/teams/{convened.world.team.pk}/packet.pdf")
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'attachment; filename="alpha-convening-2025-04-10-alpha-high.pdf"'
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert "Spring convening" in text
    network = client.get(f"{C}/{convened.winter.pk}/packet.pdf")
    assert network["Content-Disposition"] == 'attachment; filename="alpha-convening-2025-01-29-network.pdf"'


def test_only_school_design_teams_have_packets_and_other_clusters_see_nothing(client, convened):
    with scopes_disabled():
        district = Team.objects.create(cluster=convened.world.alpha, name="District team", kind="district_design")
    client.force_login(convened.world.users.lead)
    assert client.get(f"{C}/{convened.spring.pk}/teams/{district.pk}/").status_code == 404
    assert client.get(f"{C}/{convened.spring.pk}/teams/999999/packet.pdf").status_code == 404
    client.force_login(convened.world.users.outsider)  # beta's lead
    assert client.get(f"{C}/{convened.spring.pk}/").status_code == 404
    assert client.get(f"/clusters/beta/convenings/{convened.spring.pk}/").status_code == 404
