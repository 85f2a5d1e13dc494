"""The vocabulary of the permission table in tests/test_permissions.py.

Each app adds its rows in `tests/<app>/permission_rows.py`: a `rows(ids)` function returning
{action name: Action}, and a `demo_ids()` function that finds the demo records its rows need
(called once, after the demo is loaded, with scopes disabled).
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


@dataclass(frozen=True)
class Action:
    method: str
    url: str
    answers: tuple[int, ...]
    body: dict | None = None


