"""District exports in other formats, converted to the bundle tables (schema.TABLES) before validation.

`convert(folder)` detects the layout and returns a ConvertedBundle; a flat bundle is not converted
(the bundle reader reads it directly), so asking to convert one is an error.
"""

from pathlib import Path

from improvenet.analytics.formats import edfi, oneroster, sdp
from improvenet.analytics.formats.common import ConversionError, ConvertedBundle
from improvenet.analytics.formats.detect import UnknownFormat, detect_format

CONVERTERS = {"edfi-xml": edfi.convert, "oneroster": oneroster.convert, "sdp": sdp.convert}

__all__ = ["CONVERTERS", "ConversionError", "ConvertedBundle", "UnknownFormat", "convert", "detect_format"]


def convert(folder: Path | str, source_format: str | None = None) -> ConvertedBundle:
    """Convert an Ed-Fi XML, OneRoster or SDP folder; the format is detected unless given."""
    source_format = source_format or detect_format(folder)
    if source_format not in CONVERTERS:
        raise UnknownFormat(f"{source_format!r} is not converted: the converted formats are "
                            f"{', '.join(CONVERTERS)} (a flat bundle is read as it is).")
    return CONVERTERS[source_format](folder)
