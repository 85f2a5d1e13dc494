"""The GET pages of the permission table, each with a demo user allowed to read it, as JSON.

Run in the live server's environment (`python -m tests.browser.page_list`), so that the records' ids are
those of the server's database: [{"name", "url", "user"}...], user "anonymous" for the public pages.
With the argument `fullest-cycle`: the address of Riverside's demo cycle with the most to print.
"""

import json
import os
import sys


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


def fullest_cycle_url() -> str:
    """The Riverside cycle (alice reads them all) with the most predictions, then the most kept edits and
    reopened decisions, then the most written text: the longest of the demo's cycles on paper."""
    from django.db.models import Count
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from improvenet.cycles.models import PdsaCycle

    written = ("objective", "questions", "who", "where", "data_to_collect", "what_happened", "observations",
               "data_collected", "learning", "decision_notes")

    def content(cycle) -> tuple[int, int, int]:
        text = sum(len(getattr(cycle, field)) for field in written) + sum(
            len(p.text) + len(p.confirm_criterion) + len(p.what_happened) for p in cycle.predictions.all())
        return cycle.prediction_count, cycle.edit_count + cycle.reopening_count, text

    with scopes_disabled():
        cycles = PdsaCycle.objects.filter(cluster__slug="riverside").prefetch_related("predictions").annotate(
            prediction_count=Count("predictions", distinct=True),
            edit_count=Count("predictions__edits", distinct=True),
            reopening_count=Count("reopenings", distinct=True),
        )
        fullest = max(cycles, key=content)
    return reverse("cycles:cycle", args=["riverside", fullest.pk])


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvenet.settings")
    import django

    django.setup()
    print(json.dumps(fullest_cycle_url() if sys.argv[1:] == ["fullest-cycle"] else page_rows()))
