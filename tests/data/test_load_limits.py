"""Loads over a limit (all files together, one line of a CSV file) are refused before they are read whole."""

import io

from django_scopes import scopes_disabled

from improvenet.data import services
from improvenet.data.models import DataLoad
from improvenet.lib.limits import TooLarge, check_lines
from tests.data.conftest import bundle_with
from tests.data.test_services import load_as
from tests.data.test_views import BASE, zipped


def with_a_long_line(district, folder):
    """The district's bundle with a race and ethnicity of 70,000 characters on line 3 of students.csv."""
    return bundle_with(district, folder, "students.csv", 3, "race_ethnicity", "x" * 70_000)


MESSAGE = ("students.csv line 3 is longer than 64.0 KB, the most a line can hold (most of it is the column "
           "race_ethnicity); is it the right file?")


def test_a_line_over_the_limit_refuses_the_load_naming_file_line_and_column(data_world, district, tmp_path):
    outcome = load_as(data_world.world.users.lead, data_world, with_a_long_line(district, tmp_path / "long"))
    assert outcome.record.status == DataLoad.Status.REFUSED
    assert outcome.record.errors == [MESSAGE]
    assert not data_world.store.exists()


def test_the_load_page_refuses_it_with_422_and_the_message(client, data_world, district, tmp_path):
    client.force_login(data_world.world.users.lead)
    answer = client.post(f"{BASE}/load/", {"file": zipped(with_a_long_line(district, tmp_path / "long")),
                                           "format": "bundle"})
    assert answer.status_code == 422
    assert MESSAGE.replace("'", "&#x27;") in answer.content.decode()


def test_files_over_the_limit_of_one_load_are_refused_before_any_is_read(data_world, district, monkeypatch):
    monkeypatch.setattr(services, "MAX_LOAD_BYTES", 1000)
    outcome = load_as(data_world.world.users.lead, data_world, district)
    assert outcome.record.status == DataLoad.Status.REFUSED
    assert outcome.record.errors[0].startswith("bundle is ")
    assert outcome.record.errors[0].endswith("; the files of one load can be at most 1000 bytes.")
    with scopes_disabled():
        assert DataLoad.objects.get().format == "", "refused before its format was even detected"


def test_check_lines_counts_lines_across_chunks(monkeypatch):
    monkeypatch.setattr("improvenet.lib.limits.CHUNK_BYTES", 7)
    check_lines(io.BytesIO(b"a,b\n" + b"12345,678\n" * 20), "ok.csv", 10)
    try:
        check_lines(io.BytesIO(b"a,b\n" + b"1,2\n" * 5 + b"1," + b"9" * 20 + b"\n"), "long.csv", 10)
    except TooLarge as refused:
        assert str(refused) == ("long.csv line 7 is longer than 10 bytes, the most a line can hold (most of it is "
                                "the column b); is it the right file?")
    else:
        raise AssertionError("the long line was not found")
