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
    # Swapped in place, not with setStream: that flushes the old stream, which may be a test run's captured
    # output that has since been closed.
    previous, handler.stream = handler.stream, stream
    yield stream
    handler.stream = previous


def test_a_404_and_a_403_are_logged_in_one_line_each(world, client, console):
    client.force_login(world.users.viewer)
    assert client.get("/clusters/nowhere/").status_code == 404
    assert client.get("/clusters/alpha/phases/new/").status_code == 403
    # Signing in is logged too (improvenet.signin); the refusals are what this test reads.
    lines = [line for line in console.getvalue().splitlines() if not line.startswith("sign-in:")]
    assert lines == ["Not Found: /clusters/nowhere/", "Forbidden (Permission denied): /clusters/alpha/phases/new/"]


def test_other_records_keep_their_traceback(console):
    try:
        raise ValueError("a real fault")
    except ValueError:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True,
                                                  extra={"status_code": 500})
    assert "Traceback" in console.getvalue() and "a real fault" in console.getvalue()
