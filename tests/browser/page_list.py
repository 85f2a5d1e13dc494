"""The GET pages of the permission table, each with a demo user allowed to read it, as JSON.

Run in the live server's environment (`python -m tests.browser.page_list`), so that the records' ids are
those of the server's database: [{"name", "url", "user"}...], user "anonymous" for the public pages.
"""

import json
import os


def page_rows() -> list[dict]:
    from django_scopes import scopes_disabled

    from tests.permission_table import USERS
    from tests.test_permissions import ROW_MODULES, StandInIds, all_rows

    ids = StandInIds()
    with scopes_disabled():
        for module in ROW_MODULES:
            ids |= module.demo_ids()
    pages = []
    for name, action in sorted(all_rows(ids).items()):
        if action.method != "GET" or action.url.startswith("/api/"):
            continue
        readers = [user for user, answer in zip(USERS, action.answers, strict=True) if answer == 200]
        if readers:
            pages.append({"name": name, "url": action.url, "user": readers[0]})
    return pages


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvenet.settings")
    import django

    django.setup()
    print(json.dumps(page_rows()))
