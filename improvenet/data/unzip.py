"""Unpacking an uploaded zip of district files into a folder, refusing archives that could escape it or fill the disk.

Refused: absolute names, names with `..`, symbolic links, more than `max_files` entries, and more than
`max_bytes` once unpacked — counted while writing, since the sizes a zip declares can lie.
"""

import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

MAX_BYTES = 2 * 1024**3
MAX_FILES = 10_000
CHUNK = 1024 * 1024


class UnsafeArchive(ValueError):
    """The zip cannot be unpacked safely or at all; the message names the entry and the reason."""


def _entry_path(info: zipfile.ZipInfo) -> PurePosixPath:
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchive(f"The zip entry “{info.filename}” has an absolute path; only relative paths are unpacked.")
    if ".." in path.parts:
        raise UnsafeArchive(f"The zip entry “{info.filename}” points outside the archive (“..”).")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeArchive(f"The zip entry “{info.filename}” is a symbolic link; links are not unpacked.")
    return path


def unpack(source: BinaryIO | Path, folder: Path, *, max_bytes: int = MAX_BYTES, max_files: int = MAX_FILES) -> Path:
    """Unpack the zip into `folder` and return the folder holding its files (its only top folder, if it has one)."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise UnsafeArchive(f"The file is not a readable zip archive ({error}).") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > max_files:
            raise UnsafeArchive(f"The zip holds {len(entries):,} entries; at most {max_files:,} are unpacked.")
        paths = [(info, _entry_path(info)) for info in entries]
        declared = sum(info.file_size for info in entries)
        if declared > max_bytes:
            raise UnsafeArchive(f"The zip unpacks to {declared:,} bytes; at most {max_bytes:,} are unpacked.")
        written = 0
        root = folder.resolve()
        for info, path in paths:
            target = folder.joinpath(*path.parts)
            try:
                if not target.resolve().is_relative_to(root):
                    raise UnsafeArchive(f"The zip entry “{info.filename}” points outside the archive.")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as entry, target.open("wb") as out:
                    while chunk := entry.read(CHUNK):
                        written += len(chunk)
                        if written > max_bytes:
                            raise UnsafeArchive(f"The zip unpacks to more than {max_bytes:,} bytes; "
                                                "nothing was loaded.")
                        out.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
                raise UnsafeArchive(f"The zip entry “{info.filename}” cannot be unpacked ({error}).") from None
    children = [child for child in folder.iterdir() if not child.name.startswith(("__MACOSX", "."))]
    if len(children) == 1 and children[0].is_dir():
        return children[0]
    return folder
