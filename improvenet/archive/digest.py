"""The SHA-256 of a whole archive and its companion file `FILE.zip.sha256`, in the format of `sha256sum`.

The manifest's checksums travel inside the zip, so whoever changes a file can change its checksum too:
they catch accidental damage only. The digest of the whole zip catches deliberate changes as long as it
reaches the importer by another way than the archive itself.
"""

import hashlib
import re
from pathlib import Path
from typing import BinaryIO

COMPANION_SUFFIX = ".sha256"
CHUNK = 1024 * 1024
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class DigestError(ValueError):
    """A digest or companion file that cannot be used; the message says why."""


def file_sha256(source: str | Path | BinaryIO) -> str:
    """The SHA-256 of a file's bytes; an open file is read from the start and left at the start."""
    digest = hashlib.sha256()
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            while chunk := file.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()
    source.seek(0)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


def companion_path(archive: Path) -> Path:
    return archive.with_name(archive.name + COMPANION_SUFFIX)


def companion_text(archive: Path, sha256: str) -> str:
    """One `sha256sum` line, so that `sha256sum -c FILE.zip.sha256` checks the archive in the same folder."""
    return f"{sha256}  {archive.name}\n"


def parse_sha256(text: str, where: str) -> str:
    """A digest written as 64 hexadecimal digits, in lower case; DigestError naming `where` otherwise."""
    digest = text.strip().lower()
    if not _HEX_DIGEST.fullmatch(digest):
        raise DigestError(f"{where} is not a SHA-256 digest: it must be 64 hexadecimal digits, "
                          f"got “{text.strip()[:80]}”.")
    return digest


def read_companion(path: Path) -> str:
    """The digest on the first line of a `sha256sum` file (`HEX  NAME` or `HEX *NAME`)."""
    try:
        first_line = path.read_text(encoding="ascii").split("\n", 1)[0]
    except (OSError, UnicodeDecodeError) as error:
        raise DigestError(f"{path.name} cannot be read as a sha256sum file ({error}).") from None
    return parse_sha256(first_line.split(maxsplit=1)[0] if first_line.strip() else "", path.name)
