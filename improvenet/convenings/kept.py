"""Packets as PDF, kept: WeasyPrint takes seconds to lay a packet out, and a packet is downloaded again and again
before its convening while what it shows rarely changes.

A packet's PDF is kept in the var folder (`<IMPROVENET_VAR_DIR>/cache/packets/`), filed under the digest of
everything the packet shows (`packets.packet_digest`: its cycles, adaptations, spread and pooled effects, what
its charts are computed from, the convening and the cluster), which is known in a few queries. A download whose
digest has a kept file is answered from it; any change of what the packet shows gives a new digest, so the next
download makes a new PDF and removes the packet's older files. The views check the reader's access before they
ask for a packet, kept or not. Files are written whole under a temporary name and then renamed, so a server
process never reads half a file another one is writing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from improvenet import conf
from improvenet.convenings.models import Convening
from improvenet.convenings.packets import build_packet, packet_digest
from improvenet.network.models import Team


@dataclass(frozen=True)
class PacketPdf:
    content: bytes
    filename: str
    kept: bool  # read from the kept file, not laid out again


def packets_folder() -> Path:
    return conf.var_dir() / "cache" / "packets"


def kept_packet_pdf(convening: Convening, team: Team | None = None) -> PacketPdf:
    """The packet's PDF: the kept file when what the packet shows has not changed, else a new one, kept."""
    outline = build_packet(convening, team, with_signals=False)
    folder = packets_folder()
    stem = f"{convening.cluster.slug}-{convening.pk}-{team.pk if team else 'network'}"
    path = folder / f"{stem}.{packet_digest(outline)}.pdf"
    try:
        return PacketPdf(path.read_bytes(), outline.filename(), kept=True)
    except FileNotFoundError:
        pass
    from improvenet.convenings.pdf import packet_pdf  # WeasyPrint takes seconds to load: only to lay one out

    content = packet_pdf(build_packet(convening, team, with_svg=True))
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".packet-", suffix=".partial", delete=False) as partial:
        partial.write(content)
    os.replace(partial.name, path)
    for older in folder.glob(f"{stem}.*.pdf"):
        if older != path:
            older.unlink(missing_ok=True)
    return PacketPdf(content, outline.filename(), kept=False)
