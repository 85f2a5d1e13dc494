"""`improvenet manage rebuild_search_index`: rewrite every search document from the records."""

from django.core.management.base import BaseCommand

from improvenet.search.index import rebuild_index


class Command(BaseCommand):
    help = ("Rewrite the search index from the records (after a bulk load or a restore; "
            "saving a record through the pages or the API keeps it current on its own).")

    def handle(self, *args, **options) -> None:
        written = rebuild_index()
        self.stdout.write(f"Indexed {written} records for search.")
