"""Documents: only small files of the allowed kinds whose content matches their name, served as downloads."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils.http import content_disposition_header
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.partners import documents
from improvenet.partners.models import AgreementDocument
from tests.partners.conftest import PDF


@pytest.mark.parametrize(("name", "content", "message"), [
    ("run.exe", b"MZ\x90\x00", "not a kind of file the registry keeps"),
    ("contract.pdf", b"<html><script>alert(1)</script>", "named as a PDF file but its content is not one"),
    ("contract.docx", b"%PDF-1.4", "named as a Word file"),
    ("notes.txt", b"\xff\xfe\x00bad", "not plain text in UTF-8"),
    ("empty.pdf", b"", "is empty"),
    ("..", PDF, "no usable name"),
    ("noextension", PDF, "not a kind of file"),
])
def test_refused_uploads_say_why(name, content, message):
    with pytest.raises(ValidationError, match=message):
        documents.checked(name, content)


def test_the_size_cap(monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(ValidationError, match="“big.pdf” is larger than 100 bytes, the most a document can be."):
        documents.checked("big.pdf", PDF + b" " * 100)
    assert documents.checked("fits.pdf", PDF[:100])


def test_names_lose_their_folders_and_odd_characters():
    assert documents.checked("C:\\Users\\me\\Signed copy (final).PDF", PDF)[0] == "Signed_copy_final.pdf"
    assert documents.checked("../../etc/passwd.txt", b"root")[0] == "passwd.txt"
    name, kind = documents.checked('a"b;c.txt', "héllo".encode())
    assert name == "abc.txt" and kind.content_type == "text/plain; charset=utf-8"


def test_attach_keeps_the_bytes_and_their_checksum_and_a_refusal_saves_nothing(alpha_scope):
    p = alpha_scope
    document = documents.attach(p.memorandum, "memo.pdf", PDF, "Signed copy", p.world.users.lead)
    stored = AgreementDocument.objects.get(pk=document.pk)
    assert bytes(stored.content) == PDF and stored.size == len(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.content_type == "application/pdf"
    with pytest.raises(ValidationError):
        documents.attach(p.memorandum, "memo.exe", PDF)
    assert AgreementDocument.objects.count() == 1


def test_a_download_is_an_attachment_that_is_never_sniffed(alpha_scope):
    document = documents.attach(alpha_scope.memorandum, "Signed memo.pdf", PDF)
    response = documents.download_response(document)
    assert response.content == PDF and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Signed_memo.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["ETag"] == f'"{document.sha256}"'


@given(st.text(max_size=300))
@settings(max_examples=200)
def test_any_name_gives_a_one_line_header_with_no_quotes_or_hidden_characters(stem):
    try:
        name, _kind = documents.checked(f"{stem}.txt", b"text")
    except ValidationError:
        return
    header = content_disposition_header(True, name)
    assert not any(c in header for c in "\r\n\x00") and name.count(".") >= 1
    assert not any(c in name for c in '"\\/;\u202e\u2066') and name.endswith(".txt") and len(name) <= 200
