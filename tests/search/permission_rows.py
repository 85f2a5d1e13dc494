"""Permission rows for the search app's pages and API (see tests/permission_table.py).

Searching reads: whoever reads the cluster searches it. The network-wide search answers every
signed-in user, over the clusters that user reads (tests/search/test_search.py checks which text
each user finds; the table's addresses carry no query string, which `resolve()` would not take).
"""

from tests.permission_table import API_READ, API_SIGNED_IN, RIVERSIDE_READ, SIGNED_IN, Action


def demo_ids() -> dict:
    return {}


def rows(ids) -> dict:
    return {
        "search page": Action("GET", "/clusters/riverside/search/", RIVERSIDE_READ),
        "network search page": Action("GET", "/search/", SIGNED_IN),
        "api search cluster": Action("GET", "/api/clusters/riverside/search", API_READ),
        "api search network": Action("GET", "/api/search", API_SIGNED_IN),
    }
