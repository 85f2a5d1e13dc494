"""Reading CSV text one bounded line at a time: a long line or cell is named, and never read whole."""

import io

import pytest

from improvenet.lib.limits import TooLarge, csv_rows, require_size


def rows(text: str, max_line=100, max_cell=20):
    return list(csv_rows(io.StringIO(text), "f.csv", max_line=max_line, max_cell=max_cell))


def test_rows_come_with_the_line_they_start_on():
    assert rows('a,b\n1,"two\nlines"\n3,4\n') == [(1, ["a", "b"]), (2, ["1", "two\nlines"]), (4, ["3", "4"])]


@pytest.mark.parametrize(("text", "message"), [
    ("a,b\n1," + "x" * 30 + "\n", "f.csv line 2, column b: a cell of 30 characters; a cell can hold at most 20."),
    ("a,b\n1," + "x" * 500 + "\n", "f.csv line 2, column b: a cell of more than 20 characters; a cell can hold at "
                                   "most 20."),
    ('a,b\n1,"' + "x\n" * 30 + '"\n', "f.csv line 2, column b: a cell of 60 characters; a cell can hold at most 20."),
    ("a\n" + "1," * 80 + "\n", "f.csv line 2 is longer than 100 characters, the most a line can hold; is it the "
                               "right file?"),
    ("a,b\n1,2,x" + "x" * 30 + "\n", "f.csv line 2, column number 3: a cell of 31 characters; a cell can hold at "
                                     "most 20."),
])
def test_a_long_line_or_cell_is_named(text, message):
    with pytest.raises(TooLarge) as refused:
        rows(text)
    assert str(refused.value) == message


def test_a_stream_is_read_no_further_than_the_limit():
    stream = io.StringIO("a\n" + "x" * 1_000_000 + "\n")
    with pytest.raises(TooLarge):
        list(csv_rows(stream, "f.csv", max_line=100, max_cell=100))
    assert stream.tell() < 200


def test_a_size_over_its_limit_names_both():
    with pytest.raises(TooLarge, match=r"^big.csv is 55.0 MB; a file can be at most 10.0 MB.$"):
        require_size("big.csv", 55 * 1024 * 1024, 10 * 1024 * 1024, "a file")
