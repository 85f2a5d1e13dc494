"""Which layout a folder holds, from the files present."""

from pathlib import Path
from typing import Literal

from improvenet.analytics.formats import sdp
from improvenet.analytics.formats.xml_records import root_tag
from improvenet.analytics.schema import TABLES

Format = Literal["bundle", "edfi-xml", "oneroster", "sdp"]
ONEROSTER_FILES = ("orgs.csv", "users.csv", "academicSessions.csv")
LAYOUTS = (
    "bundle: the flat CSV bundle (" + ", ".join(t.bundle_file for t in TABLES if t.required_in_bundle) + ")",
    "edfi-xml: Ed-Fi bulk XML interchanges (*.xml files whose root element is Interchange...)",
    "oneroster: OneRoster 1.1 CSV (" + ", ".join(ONEROSTER_FILES) + "; School Data Sync v2.1 adds roles.csv)",
    "sdp: SDP college-going files (" + ", ".join(f"{stem}.csv" for stem, _ in sdp.FILES.values()) + ")",
)


class UnknownFormat(ValueError):
    pass


def detect_format(path: Path | str) -> Format:
    """The layout of a folder of district data; UnknownFormat lists the recognised layouts when none fits."""
    folder = Path(path)
    if not folder.is_dir():
        raise UnknownFormat(f"{folder} is not a folder: unpack the export into a folder first.")
    names = {child.name for child in folder.iterdir() if child.is_file()}
    if any(table.bundle_file in names for table in TABLES) and "students.csv" in names and "schools.csv" in names:
        return "bundle"
    if all(name in names for name in ONEROSTER_FILES):
        return "oneroster"
    if all(sdp.find_file(folder, stem) for stem, _ in sdp.FILES.values()):
        return "sdp"
    if any(root_tag(folder / name).startswith("Interchange") for name in sorted(names) if name.endswith(".xml")):
        return "edfi-xml"
    found = ", ".join(sorted(names)[:12]) or "no files"
    raise UnknownFormat(f"{folder} holds no layout improvenet reads (found: {found}). Recognised layouts:\n- "
                        + "\n- ".join(LAYOUTS))
