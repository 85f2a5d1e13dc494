"""Permission rows for the archive app's pages and API (see tests/permission_table.py).

Taking a whole cluster away is for its lead and the network admin (and superusers): the cluster's
other readers are refused, people outside it do not learn that it exists.
"""

from tests.permission_table import API_LEAD_READ, LEAD_READ, Action


def demo_ids() -> dict:
    return {}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside"
    return {
        "archive page": Action("GET", f"{c}/archive/", LEAD_READ),
        "archive download": Action("GET", f"{c}/archive/export.zip", LEAD_READ),
        "API archive download": Action("GET", f"/api{c}/archive", API_LEAD_READ),
    }
