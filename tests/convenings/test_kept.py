"""Packets as PDF are kept: a second download with nothing changed is the kept file, a change of anything the
packet shows makes a new one, and the reader's access is checked on every download, kept or not."""

import datetime
import io

import pytest
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from improvenet.convenings import pdf
from improvenet.convenings.packets import build_packet, packet_digest
from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import Adaptation, ChangeIdea
from improvenet.learning.models import SpreadStage
from improvenet.measures.models import ChartBreak, MeasureValue
from improvenet.network.models import School, Team

C = "/clusters/alpha/convenings"


@pytest.fixture
def laid_out(monkeypatch):
    """The packets WeasyPrint lays out (for real), by audience."""
    audiences = []
    real = pdf.packet_pdf

    def counted(packet):
        audiences.append(packet.audience)
        return real(packet)

    monkeypatch.setattr(pdf, "packet_pdf", counted)
    return audiences


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_a_second_download_is_the_kept_file_and_a_change_makes_a_new_one(client, convened, laid_out, kept_packets):
    url = f"{C}/{convened.spring.pk}/teams/{convened.world.team.pk}/packet.pdf"
    client.force_login(convened.world.users.viewer)
    first = client.get(url)
    assert first.status_code == 200 and laid_out == ["Alpha High design team"]
    [kept] = kept_packets.glob("*.pdf")
    assert kept.read_bytes() == first.content

    second = client.get(url)
    assert second.content == first.content and laid_out == ["Alpha High design team"]
    assert second["Content-Disposition"] == 'attachment; filename="alpha-convening-2025-04-10-alpha-high.pdf"'

    with scope(cluster=convened.world.alpha):
        cycle = PdsaCycle.objects.get(pk=convened.abandoned.pk)
        cycle.learning = "The tracker needs one column, not five."
        cycle.save()
    changed = client.get(url)
    assert laid_out == ["Alpha High design team"] * 2
    assert "The tracker needs one column, not five." in pdf_text(changed.content)
    assert "The tracker needs one column, not five." not in pdf_text(first.content)
    [newer] = kept_packets.glob("*.pdf")  # the older file is gone
    assert newer != kept and newer.read_bytes() == changed.content


def test_the_cluster_packet_and_a_team_packet_are_kept_apart(client, convened, laid_out, kept_packets):
    client.force_login(convened.world.users.member)
    network = client.get(f"{C}/{convened.spring.pk}/packet.pdf")
    team = client.get(f"{C}/{convened.spring.pk}/teams/{convened.world.team.pk}/packet.pdf")
    assert network.content != team.content and len(list(kept_packets.glob("*.pdf"))) == 2
    assert client.get(f"{C}/{convened.spring.pk}/packet.pdf").content == network.content
    assert laid_out == ["Alpha", "Alpha High design team"]


def test_every_download_checks_the_readers_access_kept_or_not(client, convened, laid_out, kept_packets):
    url = f"{C}/{convened.spring.pk}/packet.pdf"
    client.force_login(convened.world.users.viewer)
    assert client.get(url).status_code == 200 and list(kept_packets.glob("*.pdf"))
    client.force_login(convened.world.users.outsider)  # beta's lead
    assert client.get(url).status_code == 404
    assert client.get(f"/clusters/beta/convenings/{convened.spring.pk}/packet.pdf").status_code == 404
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert laid_out == ["Alpha"]


def _learning(convened):
    PdsaCycle.objects.filter(pk=convened.abandoned.pk).update(learning="Shorter trackers.")


def _value(convened):
    value = MeasureValue.objects.filter(measure=convened.measure, school=convened.world.high).latest("period")
    value.numerator += 7
    value.save()


def _chart_break(convened):
    ChartBreak.objects.create(measure=convened.measure, school=convened.world.high, starts_on=datetime.date(2025, 2, 3),
                              reason="New attendance system")


def _notes(convened):
    convened.spring.notes = "Bring two student work samples."
    convened.spring.save()


def _school_name(convened):
    School.objects.filter(pk=convened.world.high.pk).update(name="Alpha Early College High School")


def _team_name(convened):
    Team.objects.filter(pk=convened.world.team.pk).update(name="Alpha High improvement team")


def _change_idea(convened):
    ChangeIdea.objects.filter(pk=convened.pdsa.idea.pk).update(title="Goal conferences every week")


def _adaptation_decided(convened):
    Adaptation.objects.filter(pk=convened.adaptation.pk).update(
        status=Adaptation.Status.ACCEPTED, decided_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC))


def _spread_reason(convened):
    SpreadStage.objects.filter(stage="abandoned").update(reason="Teachers had no time to keep it.")


def _earlier_convening(convened):
    from improvenet.convenings.models import Convening

    Convening.objects.create(cluster=convened.world.alpha, held_on=datetime.date(2025, 3, 1), title="March check-in")


@pytest.mark.parametrize("change", [
    _learning, _value, _chart_break, _notes, _school_name, _team_name, _change_idea, _adaptation_decided,
    _spread_reason, _earlier_convening,
], ids=lambda change: change.__name__.strip("_"))
def test_any_change_of_what_the_packet_shows_changes_its_digest(convened, change):
    alpha = convened.world.alpha
    with scope(cluster=alpha):
        before = packet_digest(build_packet(convened.spring, with_signals=False))
        assert packet_digest(build_packet(convened.spring, with_signals=False)) == before
    with scopes_disabled():
        change(convened)
    with scope(cluster=alpha):
        spring = type(convened.spring).objects.select_related("cluster").get(pk=convened.spring.pk)
        assert packet_digest(build_packet(spring, with_signals=False)) != before


def test_a_kept_packet_is_served_without_computing_its_charts(convened, kept_packets, monkeypatch):
    from improvenet.convenings import packets
    from improvenet.convenings.kept import kept_packet_pdf

    with scope(cluster=convened.world.alpha):
        made = kept_packet_pdf(convened.spring)
        assert made.kept is False and made.filename == "alpha-convening-2025-04-10-network.pdf"

        def no_charts(*args):
            raise AssertionError("a kept packet computed its charts")

        monkeypatch.setattr(packets, "new_signals", no_charts)
        again = kept_packet_pdf(convened.spring)
    assert again.kept is True and again.content == made.content
