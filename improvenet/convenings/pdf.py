"""Packets as PDF: the print page rendered by WeasyPrint, with nothing fetched from the network.

The print stylesheet is inlined in the page and the charts are inline SVG, so the page needs no
other resource; the fetcher refuses every address that is not a `data:` URL, so a stray link in
user-written text (an image in notes, say) can make WeasyPrint neither reach the network nor
read the server's files.
"""

import logging

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from improvenet.convenings.packets import Packet

logger = logging.getLogger(__name__)


class RefusedFetch(ValueError):
    """WeasyPrint asked for a resource outside the page; it is left out of the PDF."""


class LocalOnlyFetcher(URLFetcher):
    """Serves `data:` URLs only and remembers every other address it refused."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",))
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            logger.warning("A convening packet referred to %s; it was not fetched.", url[:200])
            raise RefusedFetch(f"Packets fetch nothing outside the page; {url[:200]} was left out.")
        return super().fetch(url, headers)


def render_pdf(html: str, fetcher: LocalOnlyFetcher | None = None) -> bytes:
    return HTML(string=html, base_url=None, url_fetcher=fetcher or LocalOnlyFetcher()).write_pdf()


def packet_pdf(packet: Packet) -> bytes:
    """The packet laid out as PDF; the same for every reader (no request), so that it can be kept for all."""
    return render_pdf(render_to_string("convenings/packet_print.html", {"packet": packet}))
