"""Uploading a file of data on the page: checked first, saved all or nothing, idempotent."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from openpyxl import Workbook

from improvenet.measures.models import ImportLog, MeasureValue

URL = "/clusters/alpha/measures/on-track/upload/"
HEADER = "school,period,numerator,denominator\n"


def upload(client, user, content: str | bytes, name="data.csv"):
    client.force_login(user)
    data = content.encode() if isinstance(content, str) else content
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


def count_values(measure):
    with scopes_disabled():
        return MeasureValue.objects.filter(measure=measure).count()


def test_a_good_file_is_saved_and_the_same_file_again_changes_nothing(measured, client):
    text = HEADER + "Alpha High,2025-06-23,70,100\nAlpha Middle,2025-06-23,40,90\nAlpha High,2025-01-06,61,100\n"
    before = count_values(measured.measure)
    first = upload(client, measured.world.users.lead, text)
    assert first.status_code == 200
    assert "3 rows read; 2 new, 1 changed, 0 unchanged" in first.content.decode()
    assert count_values(measured.measure) == before + 2
    again = upload(client, measured.world.users.lead, text)
    assert "3 rows read; 0 new, 0 changed, 3 unchanged" in again.content.decode()
    assert count_values(measured.measure) == before + 2
    with scopes_disabled():
        logs = list(ImportLog.objects.filter(measure=measured.measure).values_list("created", "changed", "unchanged"))
        value = MeasureValue.objects.get(measure=measured.measure, school=measured.world.high, period="2025-01-06")
    assert logs == [(0, 0, 3), (2, 1, 0)]
    assert value.numerator == 61


def test_one_bad_row_saves_nothing_and_every_bad_row_is_named(measured, client):
    text = HEADER + (
        "Alpha High,2025-06-23,70,100\n"      # row 2: good
        "Gamma High,2025-06-23,1,2\n"         # row 3: unknown school
        "Alpha High,2026-06-22,1,2\n"         # row 4: outside the measure's range
        "Alpha Middle,2025-06-23,91,90\n"     # row 5: count above denominator
        "Alpha High,2025-06-23,71,100\n"      # row 6: duplicate period
        "Alpha Middle,2025-06-30,-1,abc\n"    # row 7: not numbers
        "Beta High,2025-06-23,1,2\n"          # row 8: another cluster's school is unknown here
    )
    before = count_values(measured.measure)
    answer = upload(client, measured.world.users.lead, text)
    page = answer.content.decode()
    assert answer.status_code == 422
    assert "Nothing was saved: 6 rows of data.csv have a problem." in page
    for row, words in [(3, "unknown school “Gamma High”"), (4, "after the measure&#x27;s last period"),
                       (5, "the count 91 is above the denominator 90"), (6, "duplicate period: row 2"),
                       (7, "the denominator “abc” is not a number"), (8, "unknown school “Beta High”")]:
        assert f"<td>{row}</td><td>" in page and words in page, (row, words)
    assert count_values(measured.measure) == before


def test_xlsx_upload(measured, client):
    workbook = Workbook()
    workbook.active.append(["School", "Period", "Numerator", "Denominator"])
    workbook.active.append(["Alpha High", "2025-06-30", 80, 100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = upload(client, measured.world.users.lead, buffer.getvalue(), "data.xlsx")
    assert "1 rows read; 1 new" in answer.content.decode()


def test_a_file_that_is_not_csv_or_xlsx_is_refused(measured, client):
    answer = upload(client, measured.world.users.lead, "hello", "data.pdf")
    assert answer.status_code == 422 and "Upload a .csv or .xlsx file" in answer.content.decode()
    answer = upload(client, measured.world.users.lead, "foo,bar\n1,2\n")
    assert answer.status_code == 422 and "The file has no school" in answer.content.decode()


def test_a_school_team_member_uploads_only_their_own_schools_rows(measured, client):
    own = HEADER + "Alpha High,2025-06-23,70,100\n"
    assert "1 new" in upload(client, measured.teacher, own).content.decode()
    mixed = HEADER + "Alpha High,2025-06-30,70,100\nAlpha Middle,2025-06-30,40,90\n"
    answer = upload(client, measured.teacher, mixed)
    assert answer.status_code == 422 and "you may not enter data for Alpha Middle" in answer.content.decode()
    assert upload(client, measured.designer, own).status_code == 403
    assert upload(client, measured.world.users.viewer, own).status_code == 403
    assert upload(client, measured.world.users.outsider, own).status_code == 404


def test_value_entry_form_creates_then_corrects_a_period(measured, client):
    client.force_login(measured.teacher)
    url = f"/clusters/alpha/measures/on-track/schools/{measured.world.high.pk}/values/new/"
    assert client.post(url, {"period": "2025-06-23", "numerator": 70, "denominator": 100}).status_code == 302
    assert client.post(url, {"period": "2025-06-23", "numerator": 72, "denominator": 100}).status_code == 302
    with scopes_disabled():
        values = MeasureValue.objects.filter(measure=measured.measure, school=measured.world.high, period="2025-06-23")
        assert [v.numerator for v in values] == [72]
    bad = client.post(url, {"period": "2025-06-24", "numerator": 170, "denominator": 100})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "not a Monday" in page and "above the denominator" in page
    other = f"/clusters/alpha/measures/on-track/schools/{measured.world.middle.pk}/values/new/"
    assert client.get(other).status_code == 403
