"""Refused requests are logged in one line; server errors keep their traceback."""

import io
import logging

import pytest


@pytest.fixture
def console():
    """What the server's console handler (improvenet/settings.py LOGGING) writes."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
                   and any(type(f).__name__ == "RefusalsInOneLine" for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_404_and_a_403_are_logged_in_one_line_each(world, client, console):
    client.force_login(world.users.viewer)
    assert client.get("/clusters/nowhere/").status_code == 404
    assert client.get("/clusters/alpha/phases/new/").status_code == 403
    lines = console.getvalue().splitlines()
    assert lines == ["Not Found: /clusters/nowhere/", "Forbidden (Permission denied): /clusters/alpha/phases/new/"]


def test_other_records_keep_their_traceback(console):
    try:
        raise ValueError("a real fault")
    except ValueError:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True,
                                                  extra={"status_code": 500})
    assert "Traceback" in console.getvalue() and "a real fault" in console.getvalue()
