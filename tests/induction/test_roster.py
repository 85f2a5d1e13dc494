"""The all-or-nothing roster import: every problem names its row and column; nothing half-saved."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from improvenet.induction.models import NewTeacher

URL = "/clusters/alpha/induction/teachers/import/"


def upload(client, text: str):
    return client.post(URL, {"file": SimpleUploadedFile("roster.csv", text.encode(), "text/csv")})


def refs(world) -> dict:
    with scopes_disabled():
        return {t.staff_ref: t for t in NewTeacher.objects.filter(cluster=world.alpha)}


def test_a_good_roster_adds_and_updates(client, inducted):
    client.force_login(inducted.world.users.lead)
    answer = upload(client, "staff_ref,hired_on,first_school,left_on\n"
                            "T-2,2024-08-12,Jefferson Elementary,2025-07-01\n"
                            "T-7,2025-08-11, alpha high ,\n"
                            "T-8,2025-08-11,Lincoln Middle,\n")
    assert answer.status_code == 302
    found = refs(inducted.world)
    assert str(found["T-2"].left_on) == "2025-07-01"
    assert found["T-7"].first_school_id == inducted.world.high.pk and found["T-8"].other_school == "Lincoln Middle"


def test_a_bad_row_saves_nothing_and_names_row_and_column(client, inducted):
    client.force_login(inducted.world.users.lead)
    answer = upload(client, "staff_ref,hired_on,first_school,left_on\n"
                            "T-7,2025-08-11,Alpha High,\n"
                            "T-8,11/08/2025,Lincoln Middle,\n"
                            "T-9,2025-08-11,,2025-01-01\n"
                            "T-7,2025-08-11,Alpha High,\n")
    text = answer.content.decode()
    assert answer.status_code == 422
    assert "Row 3, column hired_on: “11/08/2025” is not a date" in text
    assert "Row 4, column first_school: this column is empty." in text
    assert "Row 5, column staff_ref: T-7 is also on row 2." in text
    assert set(refs(inducted.world)) == {"T-1", "T-2"}


def test_a_missing_column_and_who_may_import(client, inducted):
    w = inducted.world
    client.force_login(w.users.lead)
    answer = upload(client, "staff_ref,first_school\nT-7,Alpha High\n")
    assert answer.status_code == 422 and "lacks the column hired_on" in answer.content.decode()
    client.force_login(w.users.member)
    assert upload(client, "staff_ref,hired_on,first_school\nT-7,2025-08-11,Alpha High\n").status_code == 403
    assert set(refs(w)) == {"T-1", "T-2"}


def test_files_that_are_not_plain_csv_text_are_refused_clearly(client, inducted):
    client.force_login(inducted.world.users.lead)
    header = "staff_ref,hired_on,first_school,left_on\n"
    latin = client.post(URL, {"file": SimpleUploadedFile("roster.csv", (header + "T-7,2025-08-11,Peña,\n")
                                                         .encode("latin-1"), "text/csv")})
    assert latin.status_code == 422 and "not UTF-8" in latin.content.decode()
    # A NUL character is no text (PostgreSQL refuses to store it); a field past the CSV reader's limit is no roster.
    nul = upload(client, header + "T-\x007,2025-08-11,Alpha High,\n")
    assert nul.status_code == 422 and "Row 2" in nul.content.decode()
    huge = upload(client, header + f"T-7,2025-08-11,\"{'x' * 200_000}\",\n")
    assert huge.status_code == 422
    assert ("The roster line 2, column first_school: a cell of more than 1,000 characters; a cell can hold at most "
            "1,000." in huge.content.decode())
    assert set(refs(inducted.world)) == {"T-1", "T-2"}
