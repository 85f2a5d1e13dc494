"""Packets as PDF: a valid document with the team's cycles, made without fetching anything."""

import io
import socket

import pytest
from pypdf import PdfReader

from improvenet.convenings.packets import build_packet
from improvenet.convenings.pdf import LocalOnlyFetcher, RefusedFetch, packet_pdf, render_pdf


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a packet tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_team_packet_pdf_holds_its_cycles_objectives_and_learning(convened, alpha_scope, no_network):
    content = packet_pdf(build_packet(convened.spring, convened.world.team, with_svg=True))
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Spring convening: packet of Alpha High design team" in text
    assert "Goal conferences with a tracker" in text
    assert "Learning of “Goal conferences with a tracker”." in text
    assert "Abandon on February 10, 2025" in text
    assert "Exit tickets in the middle school" not in text  # another school's cycle
    assert "9th graders on track" in text
    # The charts stay vector drawings: no page holds a picture made of pixels.
    assert [page.images for page in PdfReader(io.BytesIO(content)).pages if page.images] == []


def test_the_network_packet_pdf_holds_every_team(convened, alpha_scope, no_network):
    text = pdf_text(packet_pdf(build_packet(convened.spring, with_svg=True)))
    assert "packet of Alpha" in text
    assert "Alpha High design team" in text and "Alpha Middle design team" in text
    assert "Exit tickets in the middle school" in text and "Goal conferences with a tracker" in text
    assert "what explains the difference?" in text


def test_the_fetcher_serves_data_urls_and_refuses_every_other_address(no_network):
    fetcher = LocalOnlyFetcher()
    for url in ("http://example.org/logo.png", "https://cdn.example.org/style.css", "file:///etc/passwd",
                "ftp://example.org/x"):
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_rendering_fetches_nothing_outside_the_page(no_network):
    fetcher = LocalOnlyFetcher()
    html = (
        '<html><head><link rel="stylesheet" href="https://cdn.example.org/print.css"></head><body>'
        '<p>Still rendered</p><img src="http://example.org/chart.png" alt="chart">'
        '<img src="file:///etc/hostname" alt="a local file"></body></html>'
    )
    text = pdf_text(render_pdf(html, fetcher))
    assert "Still rendered" in text
    assert set(fetcher.refused) == {"https://cdn.example.org/print.css", "http://example.org/chart.png",
                                    "file:///etc/hostname"}


def test_user_written_text_cannot_make_the_packet_fetch(convened, alpha_scope, no_network):
    convened.spring.notes = '<img src="http://example.org/tracker.png"> Bring your packet.'
    convened.spring.save()
    text = pdf_text(packet_pdf(build_packet(convened.spring, convened.world.team)))
    # Escaped: the notes are text, not markup.
    assert '<img src="http://example.org/tracker.png"> Bring your packet.' in text
