"""Files of measure data over a limit (size, line, cell) are refused with a message naming it, on every channel."""

import io

import pytest
from django_scopes import scopes_disabled
from openpyxl import Workbook

from improvenet.measures import upload as mu
from improvenet.measures.models import MeasureValue
from tests.measures.test_api import post_file
from tests.measures.test_upload import HEADER, upload

GOOD_ROW = "Alpha High,2025-06-23,70,100\n"


def saved(measure) -> int:
    with scopes_disabled():
        return MeasureValue.objects.filter(measure=measure).count()


def test_a_file_over_the_size_limit_is_refused_on_the_page(measured, client):
    before = saved(measured.measure)
    content = (HEADER + GOOD_ROW * (mu.MAX_FILE_BYTES // len(GOOD_ROW) + 1)).encode()
    answer = upload(client, measured.world.users.lead, content, "big.csv")
    assert answer.status_code == 422
    assert "big.csv is 10.0 MB; a file of measure data can be at most 10.0 MB." in answer.content.decode()
    assert saved(measured.measure) == before


def test_a_long_cell_is_refused_naming_its_line_and_column(measured, client):
    """Beyond the csv module's own cell limit (131,072 characters) this was a traceback and a 500."""
    before = saved(measured.measure)
    text = HEADER + GOOD_ROW + "Alpha High," + "9" * 200_000 + ",1,2\n"
    answer = upload(client, measured.world.users.lead, text)
    assert answer.status_code == 422
    assert ("data.csv line 3, column period: a cell of more than 1,000 characters; a cell can hold at most 1,000."
            in answer.content.decode())
    assert saved(measured.measure) == before


def test_a_long_line_is_refused(measured, client):
    text = HEADER + GOOD_ROW + GOOD_ROW.strip() + ",x" * 60_000 + "\n"
    answer = upload(client, measured.world.users.lead, text)
    assert answer.status_code == 422
    assert "data.csv line 3 is longer than 100,000 characters" in answer.content.decode()


def test_the_api_refuses_a_file_over_a_limit_with_422_and_the_message(measured, api_as, client):
    token = api_as(measured.world.users.lead).token
    content = (HEADER + "Alpha High," + "x" * 5_000 + ",1,2\n").encode()
    answer = post_file(client, token, f"/clusters/alpha/measures/{measured.measure.pk}", "long.csv", content)
    assert answer.status_code == 422
    assert answer.json()["detail"] == ("long.csv line 2, column period: a cell of 5,000 characters; a cell can hold "
                                       "at most 1,000.")


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_a_long_cell_of_a_workbook_is_refused_naming_its_row():
    workbook = _xlsx([["school", "period", "numerator", "denominator"], ["Alpha High", "x" * 1_001, 1, 2]])
    with pytest.raises(mu.UploadFileError, match=r"^data.xlsx row 2, column 2: a cell of 1,001 characters; a cell "
                                                 r"can hold at most 1,000.$"):
        mu.read_table(workbook, "data.xlsx")


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(mu, "MAX_XLSX_UNPACKED_BYTES", 1000)
    workbook = _xlsx([["school", "period", "numerator", "denominator"]] + [["Alpha High", "2025-06-23", 1, 2]] * 50)
    with pytest.raises(mu.UploadFileError, match=r"^data.xlsx unpacked is .* KB; a workbook of measure data can be "
                                                 r"at most 1000 bytes.$"):
        mu.read_table(workbook, "data.xlsx")


def test_a_file_is_read_from_its_stream_without_its_bytes_whole():
    stream = io.BytesIO((HEADER + GOOD_ROW).encode("utf-8-sig"))
    assert mu.read_table(stream, "data.csv") == [
        (2, {"school": "Alpha High", "period": "2025-06-23", "numerator": "70", "denominator": "100"})]


def test_a_file_that_is_not_utf8_is_a_clear_message():
    with pytest.raises(mu.UploadFileError, match="not UTF-8 text"):
        mu.read_table((HEADER + "Åland,2025-06-23,1,2\n").encode("latin-1"), "data.csv")


def test_a_file_of_megabytes_is_read_from_its_temporary_file(measured, client):
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE an upload waits in a temporary file, which is read as a stream."""
    content = HEADER + GOOD_ROW + "\n" * (3 * 1024 * 1024)
    answer = upload(client, measured.world.users.lead, content)
    assert answer.status_code == 200
    assert "1 rows read; 1 new" in answer.content.decode()
