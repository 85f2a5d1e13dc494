"""Each request that may write runs in one transaction; reads run in none.

Django's ATOMIC_REQUESTS wraps every view, reads included, and SQLite then takes its single write lock
at the start of every request (the transactions begin IMMEDIATE so that two writers never deadlock):
concurrent readers queued behind each other and failed with "database is locked". Reads need no
transaction: in write-ahead-log mode each statement reads a consistent snapshot while a write goes on.
Writes keep ATOMIC_REQUESTS' promise: a failed write leaves nothing behind.
"""

from django.db import DEFAULT_DB_ALIAS, transaction

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AtomicWrites:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        # A view marked with transaction.non_atomic_requests manages its own transactions.
        if request.method in READ_METHODS or DEFAULT_DB_ALIAS in getattr(view, "_non_atomic_requests", ()):
            return None
        with transaction.atomic():
            return view(request, *args, **kwargs)
