"""The rate limits' shared counter: one row per scope, subject, client and window, counted in one statement."""

from improvenet.ratelimits.models import RequestCount

HOUR = 3600
NOW = 1_800_000_000.5  # in the middle of an hour's window


def test_hits_count_per_window_and_say_how_long_the_window_lasts(db):
    start = int(NOW) // HOUR * HOUR
    assert RequestCount.hit("password-reset", "a@example.org", "", HOUR, NOW) == (1, start + HOUR - int(NOW))
    assert RequestCount.hit("password-reset", "a@example.org", "", HOUR, NOW + 5)[0] == 2
    # Another subject, another client, another scope: counted apart.
    assert RequestCount.hit("password-reset", "b@example.org", "", HOUR, NOW)[0] == 1
    assert RequestCount.hit("password-reset", "a@example.org", "192.0.2.1", HOUR, NOW)[0] == 1
    assert RequestCount.hit("pages", "a@example.org", "", HOUR, NOW)[0] == 1
    # The next window starts at one again, and the windows that are over are deleted with its first hit.
    assert RequestCount.hit("password-reset", "a@example.org", "", HOUR, start + HOUR) == (1, HOUR)
    assert list(RequestCount.objects.values_list("window_start", flat=True).distinct()) == [start + HOUR]
