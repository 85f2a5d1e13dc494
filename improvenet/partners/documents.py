"""Checking, storing and serving the documents attached to agreements.

A document is accepted only when it is small enough, its name ends in an allowed extension and its
first bytes are what that kind of file starts with (a renamed program is refused). Its bytes are
kept in the database with their SHA-256, and served only as a download (see `download_response`).
"""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename

from improvenet.lib.limits import size_text
from improvenet.partners.models import Agreement, AgreementDocument

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Kind:
    content_type: str
    label: str
    magic: tuple[bytes, ...] = ()  # empty: plain text, checked as UTF-8 instead


ALLOWED = {
    ".pdf": Kind("application/pdf", "PDF", (b"%PDF-",)),
    ".docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word", (ZIP_MAGIC,)),
    ".odt": Kind("application/vnd.oasis.opendocument.text", "OpenDocument text", (ZIP_MAGIC,)),
    ".txt": Kind("text/plain; charset=utf-8", "plain text"),
    ".png": Kind("image/png", "PNG image", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": Kind("image/jpeg", "JPEG image", (b"\xff\xd8\xff",)),
    ".jpeg": Kind("image/jpeg", "JPEG image", (b"\xff\xd8\xff",)),
}
ALLOWED_TEXT = ", ".join(sorted(ALLOWED))


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def checked(name: str, content: bytes) -> tuple[str, Kind]:
    """The safe file name and kind of an upload, or ValidationError naming the `file` problem."""
    try:
        safe = get_valid_filename(name.replace("\\", "/").rsplit("/", 1)[-1])
    except SuspiciousFileOperation:
        raise _refuse("The file has no usable name; rename it and upload it again.") from None
    extension = "." + safe.rsplit(".", 1)[-1].lower() if "." in safe else ""
    kind = ALLOWED.get(extension)
    if kind is None:
        raise _refuse(f"“{safe}” is not a kind of file the registry keeps; upload one of {ALLOWED_TEXT}.")
    if not content:
        raise _refuse(f"“{safe}” is empty.")
    if len(content) > MAX_DOCUMENT_BYTES:
        # Only one byte past the cap is read (read_upload): the file's whole size is not known here.
        raise _refuse(f"“{safe}” is larger than {size_text(MAX_DOCUMENT_BYTES)}, the most a document can be.")
    if kind.magic and not content.startswith(kind.magic):
        raise _refuse(f"“{safe}” is named as a {kind.label} file but its content is not one.")
    if not kind.magic:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(f"“{safe}” is not plain text in UTF-8.") from None
    stem, _, _ = safe.rpartition(".")
    return f"{stem[:190]}{extension}", kind


def attach(agreement: Agreement, name: str, content: bytes, description: str = "", user=None) -> AgreementDocument:
    """Check an upload and attach it to the agreement (nothing is saved when it is refused)."""
    safe, kind = checked(name, content)
    if len(description) > 200:
        raise ValidationError({"description": "The description can be at most 200 characters."})
    return AgreementDocument.objects.create(
        agreement=agreement, name=safe, content_type=kind.content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), content=content, description=description, uploaded_by=user,
    )


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, reading no more than one byte past the size cap."""
    return upload.read(MAX_DOCUMENT_BYTES + 1)


def download_response(document: AgreementDocument) -> HttpResponse:
    """The document as an attachment that browsers neither display inline nor sniff into another type."""
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = f'"{document.sha256}"'
    return response
