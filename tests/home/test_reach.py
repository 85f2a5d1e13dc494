"""Every page of the demo is at most 3 clicks from the home: following links from `/`, as alice (the
lead, who opens the most pages) and as bob (a school team member), reaches every GET page of the
permission table that they may open and read. Forms (the table's rows named "... form") and files
(CSV, PDF, SVG, ZIP) are left out: each is one click from the page it changes or downloads from."""

import re
from collections import Counter

import pytest
from django.urls import Resolver404, resolve

from tests.permission_table import USERS
from tests.test_permissions import _normalize, all_rows, demo_ids  # noqa: F401 (demo_ids is a fixture)

CLICKS = 3
# Each kind of page (route) is followed from its first few addresses only: enough to find what it links.
FOLLOWED_PER_ROUTE = 2
# Links, and the forms that ask for a page (method="get"), such as the comparison of two diagram versions.
LINK = re.compile(r'href="(/[^"#?]*)|<form[^>]* method="get"[^>]* action="(/[^"#?]*)')
DOWNLOADS = (".csv", ".pdf", ".svg", ".zip", "/csv")
# Pages no link leads to, by design.
ENTRY_POINTS = {
    "/accounts/login": "where one signs in",
    "/accounts/password/done": "after changing one's password",
    "/accounts/password/reset/sent": "after asking for a password reset",
    "/accounts/password/reset/{uidb64}/{token}": "the link in a password reset e-mail",
    "/accounts/password/reset/complete": "after choosing a new password from that link",
    "/accounts/invitations/{secret}": "the link in an invitation e-mail",
    "/notifications/unsubscribe/{token}": "the link in a weekly digest e-mail",
    "/health": "for load balancers and monitors, not people",
    "/clusters/{cluster}/data/load/results": "asked for by the load report after a load, until the tables are ready",
    # Linked from the cluster's adoptions only: an idea of Riverside's own, never adopted, has no link to it.
    "/clusters/{cluster}/sharing/ideas/{idea_id}": "the lineage of an adopted idea",
}


def _route(url: str) -> str | None:
    if url.startswith(("/static/", "/api/", "/admin/", "/i18n/")):
        return None
    try:
        return _normalize(resolve(url).route)
    except Resolver404:
        return None


def routes_within(client, clicks: int) -> dict[str, int]:
    """Each route reached from the home, with the fewest clicks it takes."""
    reached, seen, frontier = {"/": 0}, {"/"}, ["/"]
    for click in range(1, clicks + 1):
        followed, next_frontier = Counter(), []
        for url in frontier:
            answer = client.get(url)
            if answer.status_code != 200 or not answer.get("Content-Type", "").startswith("text/html"):
                continue
            for link in (href or action for href, action in LINK.findall(answer.content.decode())):
                route = _route(link)
                if route is None or link in seen:
                    continue
                seen.add(link)
                reached.setdefault(route, click)
                if followed[route] < FOLLOWED_PER_ROUTE:
                    followed[route] += 1
                    next_frontier.append(link)
        frontier = next_frontier
    return reached


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_every_page_a_person_may_open_is_within_3_clicks_of_their_home(db, client, demo_ids, user):  # noqa: F811
    client.force_login(demo_ids["users"][user])
    reached = routes_within(client, CLICKS)
    wanted = {_normalize(resolve(action.url).route): name for name, action in all_rows(demo_ids).items()
              if action.method == "GET" and not action.url.startswith("/api/") and " form" not in name
              and not action.url.rstrip("/").endswith(DOWNLOADS)
              and action.answers[USERS.index(user)] == 200}
    missing = {route: name for route, name in wanted.items() if route not in reached and route not in ENTRY_POINTS}
    assert missing == {}, f"more than {CLICKS} clicks from {user}'s home: " + "\n".join(sorted(missing))
