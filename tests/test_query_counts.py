"""The SQL queries of a page do not grow with the records it shows: no query per school, cycle, convening or vote.

Every GET of the permission table that the cluster lead (alice) opens is requested on the demo, then
again after the demo grew by more schools (with their design teams), PDSA cycles, convenings and panel
votes with ballots; each request's SELECT queries are counted with Django's CaptureQueriesContext. A page
whose count grew runs queries per record (an N+1) and fails, named with both counts.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from improvenet.convenings.models import Convening
from improvenet.cycles.models import PdsaCycle, Prediction
from improvenet.demo import load_demo
from improvenet.governance.models import Proposal, Vote
from improvenet.network.models import Cluster, School
from tests.permission_table import USERS
from tests.test_permissions import ROW_MODULES, all_rows

LEAD = "alice"
# Whole-cluster downloads read every table once: their count does not depend on these records either, but
# they take seconds, so tests/archive checks them.
SKIPPED = ("/archive/export.zip", "/archive")
GROWTH = 8


def lead_pages(ids) -> dict[str, str]:
    lead = USERS.index(LEAD)
    return {name: action.url for name, action in sorted(all_rows(ids).items())
            if action.method == "GET" and action.answers[lead] == 200 and not action.url.endswith(SKIPPED)}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, f"{url}: {answer.status_code}"
    # Reads only: a token's last use or a session is written now and then, whatever the page shows.
    return sum(query["sql"].lstrip().upper().startswith("SELECT") for query in captured)


def grow(riverside: Cluster, users) -> None:
    """More schools, cycles, convenings and votes in Riverside: GROWTH of each (cycles: twice as many)."""
    alice = users[LEAD]
    with scope(cluster=riverside):
        high = School.objects.filter(level=School.Level.HIGH).order_by("pk").first()
        for number in range(GROWTH):
            School.objects.create(cluster=riverside, name=f"Added Elementary {number}", level="elementary",
                                  role=high.role, lowest_grade=0, highest_grade=5, feeds_into=high,
                                  state_id=f"ADDED-{number}")
        sources = list(PdsaCycle.objects.prefetch_related("predictions"))
        copies = PdsaCycle.objects.bulk_create(
            PdsaCycle(**{f.attname: getattr(source, f.attname) for f in PdsaCycle._meta.concrete_fields
                         if f.attname not in ("id", "previous_id", "copied_from_id")})
            for source in sources)
        Prediction.objects.bulk_create(
            Prediction(cycle=copy, number=p.number, text=p.text, confirm_criterion=p.confirm_criterion,
                       outcome=p.outcome, what_happened=p.what_happened)
            for copy, source in zip(copies, sources, strict=True) for p in source.predictions.all())
        last = Convening.objects.order_by("-held_on").first().held_on
        Convening.objects.bulk_create(
            Convening(cluster=riverside, held_on=last + datetime.timedelta(days=7 * (number + 1)),
                      title=f"Added convening {number}", created_by=alice) for number in range(GROWTH))
        proposals = list(Proposal.objects.order_by("pk")[:3])
        model = Vote.objects.order_by("pk").first()
        for number in range(GROWTH):
            vote = Vote.objects.create(cluster=riverside, title=f"Added vote {number}", method=model.method,
                                       held_on=model.held_on, created_by=alice)
            vote.proposals.set(proposals)
            for member in list(vote.eligible())[:5]:
                vote.record_ballot(member, proposals[:1], alice)


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    """{page name: (queries on the demo, queries on the grown demo)}; everything is rolled back after."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        ids = {}
        with scopes_disabled():
            for module in ROW_MODULES:
                ids |= module.demo_ids()
            riverside = Cluster.objects.get(slug="riverside")
        users = get_user_model().objects.in_bulk(USERS[1:], field_name="username")
        ids["users"] = users
        ids["tokens"] = {}
        from improvenet.accounts.models import ApiToken

        _, secret = ApiToken.issue(users[LEAD], "query counts")
        ids["alice_token"] = ApiToken.issue(users[LEAD], "revocable")[0].pk
        client = Client()
        client.force_login(users[LEAD])
        api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

        def measure():
            pages = lead_pages(ids)
            return {name: count_queries(api if url.startswith("/api/") else client, url)
                    for name, url in pages.items()}

        before = measure()
        grow(riverside, users)
        after = measure()
        yield {name: (before[name], after[name]) for name in before}
        transaction.set_rollback(True)


def test_no_page_runs_queries_per_school_cycle_convening_or_vote(db, counts):
    grown = {name: f"{before} → {after} queries" for name, (before, after) in counts.items() if after > before}
    assert grown == {}
    assert len(counts) > 150, "every page the lead opens is counted"


def test_a_signed_in_page_reads_the_session_guard_and_the_unread_count_in_one_query_each_once(world, client):
    """The sign-out-everywhere time comes with the user's own query; the unread count is one query, made once
    although the home shows it twice (header and page)."""
    from improvenet.notifications.models import Notification
    from improvenet.signin.models import SessionCutoff

    with scopes_disabled():
        Notification.objects.create(cluster=world.alpha, recipient=world.users.member, kind="vote_opened",
                                    text="A vote opened.", url="/clusters/alpha/", key="vote:1:opened")
    client.force_login(world.users.member)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/")
    assert page.status_code == 200 and '1<span class="visually-hidden"> unread</span>' in page.content.decode()
    reads = [query["sql"] for query in captured if query["sql"].lstrip().upper().startswith("SELECT")]
    cutoff, notifications = SessionCutoff._meta.db_table, Notification._meta.db_table
    assert [sql for sql in reads if f'FROM "{cutoff}"' in sql] == []
    assert len([sql for sql in reads if f'FROM "{notifications}"' in sql and "COUNT(" in sql.upper()]) == 1
    # The guard still ends a session begun before signing out everywhere.
    SessionCutoff.set_now(world.users.member)
    assert client.get("/").status_code == 302
