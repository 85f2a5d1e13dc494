"""The status of an agreement on a day, and the renewal and expiry dates within a window."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improvenet.partners.dates import Deadline, DeadlineKind, Status, deadlines, status

TODAY = datetime.date(2026, 3, 1)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(("starts", "expires", "ended", "expected"), [
    (TODAY - 10 * DAY, TODAY + 91 * DAY, None, Status.ACTIVE),
    (TODAY - 10 * DAY, TODAY + 90 * DAY, None, Status.EXPIRING),
    (TODAY - 10 * DAY, TODAY, None, Status.EXPIRING),
    (TODAY - 10 * DAY, TODAY - DAY, None, Status.EXPIRED),
    (TODAY - 10 * DAY, None, None, Status.ACTIVE),
    (TODAY + DAY, TODAY + 400 * DAY, None, Status.NOT_STARTED),
    (TODAY - 10 * DAY, TODAY + 400 * DAY, TODAY, Status.ENDED),
    (TODAY - 10 * DAY, TODAY - DAY, TODAY - 5 * DAY, Status.ENDED),
    (TODAY - 10 * DAY, TODAY + 400 * DAY, TODAY + DAY, Status.ACTIVE),
])
def test_status_from_the_dates(starts, expires, ended, expected):
    assert status(starts, expires, ended, TODAY) == expected


def test_the_window_is_configurable():
    assert status(TODAY - DAY, TODAY + 20 * DAY, None, TODAY, window_days=14) == Status.ACTIVE
    assert status(TODAY - DAY, TODAY + 14 * DAY, None, TODAY, window_days=14) == Status.EXPIRING


def test_deadlines_are_the_renewal_and_expiry_dates_in_the_window_earliest_first():
    assert deadlines(TODAY + 5 * DAY, TODAY + 30 * DAY, None, TODAY) == [
        Deadline(DeadlineKind.RENEWAL, TODAY + 5 * DAY), Deadline(DeadlineKind.EXPIRY, TODAY + 30 * DAY)]
    assert deadlines(TODAY + 5 * DAY, TODAY + 100 * DAY, None, TODAY) == [
        Deadline(DeadlineKind.RENEWAL, TODAY + 5 * DAY)]
    assert deadlines(TODAY - DAY, None, None, TODAY) == []
    assert deadlines(None, TODAY + 5 * DAY, TODAY, TODAY) == [], "an ended agreement has no deadline"
    assert deadlines(None, TODAY + 5 * DAY, TODAY + 3 * DAY, TODAY) == [], "nor one after it ends"
    with pytest.raises(ValueError, match="0 or more"):
        deadlines(None, TODAY, None, TODAY, window_days=-1)


def test_a_deadline_says_when_in_words():
    assert Deadline(DeadlineKind.EXPIRY, TODAY).sentence(TODAY) == "expires today, on March 1, 2026"
    assert Deadline(DeadlineKind.RENEWAL, TODAY + DAY).sentence(TODAY).startswith("is due for renewal tomorrow")
    assert "in 30 days" in Deadline(DeadlineKind.EXPIRY, TODAY + 30 * DAY).sentence(TODAY)


dates_around = st.one_of(st.none(), st.integers(-200, 200).map(lambda n: TODAY + n * DAY))


@given(dates_around, dates_around, dates_around, st.integers(0, 365))
def test_every_deadline_lies_in_the_window_and_an_expiring_agreement_has_one(renews, expires, ended, window):
    found = deadlines(renews, expires, ended, TODAY, window)
    assert all(TODAY <= d.on <= TODAY + window * DAY for d in found)
    assert [d.on for d in found] == sorted(d.on for d in found)
    expiring = status(TODAY - 300 * DAY, expires, ended, TODAY, window) == Status.EXPIRING
    if expiring and (ended is None or ended > expires):
        assert Deadline(DeadlineKind.EXPIRY, expires) in found
