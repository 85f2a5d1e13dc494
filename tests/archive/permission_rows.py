"""Permission rows for the archive app's pages and API (see tests/permission_table.py).

Taking a whole cluster away is for its lead and the network admin (and superusers): the cluster's
other readers are refused, people outside it do not learn that it exists.
"""

from tests.permission_table import Action

# Answers by audience, in the order of USERS: anonymous, alice, bob, carol, vera, dan, admin.
LEAD_PAGE = (302, 200, 403, 403, 403, 404, 200)
LEAD_API = (401, 200, 403, 403, 403, 404, 200)


def demo_ids() -> dict:
    return {}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside"
    return {
        "archive page": Action("GET", f"{c}/archive/", LEAD_PAGE),
        "archive download": Action("GET", f"{c}/archive/export.zip", LEAD_PAGE),
        "API archive download": Action("GET", f"/api{c}/archive", LEAD_API),
    }
