"""The vocabulary of the permission table in tests/test_permissions.py.

Each app adds its rows in `tests/<app>/permission_rows.py`: a `rows(ids)` function returning
{action name: Action}, and a `demo_ids()` function that finds the demo records its rows need
(called once, after the demo is loaded, with scopes disabled). The answers of an audience that several
apps share (the lead only, the data team, the shared design's changers, bob's own school) are named here,
once; an app's file names only the audiences that are its own.
"""

from dataclasses import dataclass

USERS = ("anonymous", "alice", "bob", "carol", "vera", "dan", "admin")

# Answers by audience, in the order of USERS.
RIVERSIDE_READ = (302, 200, 200, 200, 200, 404, 200)
RIVERSIDE_CHANGE_FORM = (302, 200, 403, 403, 403, 404, 200)
RIVERSIDE_CHANGE_POST = (302, 302, 403, 403, 403, 404, 302)
SIGNED_IN = (302, 200, 200, 200, 200, 200, 200)
API_READ = (401, 200, 200, 200, 200, 404, 200)
API_CREATE = (401, 201, 403, 403, 403, 404, 201)
API_CHANGE = (401, 200, 403, 403, 403, 404, 200)
PUBLIC = (200, 200, 200, 200, 200, 200, 200)
API_SIGNED_IN = (401, 200, 200, 200, 200, 200, 200)
# The lead and the network admins only: the cluster's other readers are refused, other clusters' people told
# nothing. A form posted empty tells them what is missing (422).
LEAD_READ = (302, 200, 403, 403, 403, 404, 200)
LEAD_POST = (302, 302, 403, 403, 403, 404, 302)
LEAD_POST_EMPTY = (302, 422, 403, 403, 403, 404, 422)
API_LEAD_READ = (401, 200, 403, 403, 403, 404, 200)
# The network admins only (alice, the lead, is refused too).
ADMIN_FORM = (302, 403, 403, 403, 403, 404, 200)
ADMIN_POST = (302, 403, 403, 403, 403, 404, 302)
# The lead, the network admins and Riverside's longitudinal data team (carol is on it): student-level data and
# agreement documents. bob and vera, who read the cluster, are refused.
DATA_TEAM_READ = (302, 200, 403, 200, 403, 404, 200)
DATA_TEAM_POST_EMPTY = (302, 422, 403, 422, 403, 404, 422)
API_DATA_TEAM_READ = (401, 200, 403, 200, 403, 404, 200)
# Who changes Riverside's shared design: alice (lead), carol (on the district design team) and admin; a post
# these may make but that is refused as input answers them 422.
DESIGN_CHANGE_FORM = (302, 200, 403, 200, 403, 404, 200)
DESIGN_CHANGE_POST = (302, 302, 403, 302, 403, 404, 302)
DESIGN_CHANGE_REFUSED = (302, 422, 403, 422, 403, 404, 422)
DESIGN_API_CREATE = (401, 201, 403, 201, 403, 404, 201)
DESIGN_API_CHANGE = (401, 200, 403, 200, 403, 404, 200)
DESIGN_API_REFUSED = (401, 422, 403, 422, 403, 404, 422)
# bob's own school's work: its team (bob), the lead and admin. Another school's work is bob's to read only: the
# RIVERSIDE_CHANGE_* and API_CHANGE/API_CREATE answers.
OWN_SCHOOL_FORM = (302, 200, 200, 403, 403, 404, 200)
OWN_SCHOOL_POST = (302, 302, 302, 403, 403, 404, 302)
API_OWN_SCHOOL_CREATE = (401, 201, 201, 403, 403, 404, 201)
API_OWN_SCHOOL_CHANGE = (401, 200, 200, 403, 403, 404, 200)


@dataclass(frozen=True)
class Action:
    method: str
    url: str
    answers: tuple[int, ...]
    body: dict | None = None


