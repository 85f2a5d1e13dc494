"""Keeping the search index current: one SearchDocument per record of each kind in `KINDS`.

Saving or deleting a record (or a record whose text is part of it, `Kind.touched_by`) marks its
document as out of date; the marked documents are rewritten from the records when the transaction
commits, and before any search, so a search in the same transaction sees the change. A record saved
ten times in one transaction (a PDSA cycle going through its stages) is read and written once.
Rewriting reads the records from the database, so a mark left by a rolled-back write only rewrites
the document as it was. Bulk loads send no signals: `rebuild_index()` rewrites every document (the
demo calls it last; `improvenet manage rebuild_search_index` runs it by hand).
"""

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Iterable

from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django_scopes import scopes_disabled

from improvenet.search.kinds import KINDS, Document, Kind
from improvenet.search.models import SearchDocument

BATCH = 500
# Control characters other than tab and new line: among them are the highlight marks of fulltext.py.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FIELDS = ["cluster_id", "school_id", "change_idea_id", "date", "title", "body", "url"]
log = logging.getLogger(__name__)


class _Marks(threading.local):
    """The records whose documents are out of date, by kind, in this thread (a connection is per thread)."""

    def __init__(self) -> None:
        self.stale: dict[str, set[int]] = defaultdict(set)


_marks = _Marks()


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _document(kind: Kind, pk: int, document: Document) -> SearchDocument:
    return SearchDocument(
        kind=kind.key, object_id=pk, cluster_id=document.cluster_id, school_id=document.school_id,
        change_idea_id=document.change_idea_id, date=document.date, title=_clean(document.title)[:300],
        body=_clean(document.body), url=document.url,
    )


def index_records(kind: Kind, pks: Iterable[int]) -> None:
    """Rewrite the documents of these records of `kind`; a record that no longer exists loses its document."""
    pks = set(pks)
    with scopes_disabled(), transaction.atomic():
        found = {record.pk: record for record in kind.records().filter(pk__in=pks)}
        SearchDocument.objects.filter(kind=kind.key, object_id__in=pks - found.keys()).delete()
        documents = [_document(kind, pk, kind.describe(record)) for pk, record in found.items()]
        SearchDocument.objects.bulk_create(
            documents, update_conflicts=True, unique_fields=["kind", "object_id"], update_fields=_FIELDS,
        )


def flush() -> None:
    """Rewrite the documents marked out of date in this thread."""
    while _marks.stale:
        key, pks = _marks.stale.popitem()
        try:
            index_records(KINDS[key], pks)
        except DatabaseError:
            _marks.stale[key] |= pks
            raise


def _flush_after_commit() -> None:
    try:
        flush()
    except DatabaseError:  # the records are saved; the marks stay for the next flush
        log.exception("The search index could not be brought up to date; it is retried at the next search.")


def mark_stale(kind: Kind, pks: Iterable[int]) -> None:
    _marks.stale[kind.key].update(pks)
    if connection.in_atomic_block:
        # Once per mark: a callback registered in a savepoint that rolls back is dropped with it.
        transaction.on_commit(_flush_after_commit)
    else:
        flush()


def rebuild_index() -> int:
    """Rewrite every document from the records; the number of documents written."""
    written = 0
    with scopes_disabled(), transaction.atomic():
        _marks.stale.clear()
        SearchDocument.objects.all().delete()
        for kind in KINDS.values():
            batch = []
            for record in kind.records().order_by("pk").iterator(chunk_size=BATCH):
                batch.append(_document(kind, record.pk, kind.describe(record)))
                if len(batch) == BATCH:
                    written += len(SearchDocument.objects.bulk_create(batch))
                    batch = []
            written += len(SearchDocument.objects.bulk_create(batch))
    return written


def _on_change(kind: Kind, pks_of):
    def mark(sender, instance, raw=False, **kwargs) -> None:
        if not raw:  # fixtures load records before the ones they refer to
            mark_stale(kind, pks_of(instance))

    return mark


def _own_pk(record) -> list[int]:
    return [record.pk]


_receivers = []


def connect_signals() -> None:
    """Listen to every model whose records or text are searched (called once, from the app's ready())."""
    for kind in KINDS.values():
        for model, pks_of in ((kind.model, _own_pk), *kind.touched_by):
            receiver = _on_change(kind, pks_of)
            _receivers.append(receiver)  # signals hold their receivers weakly
            for signal, name in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(receiver, sender=model, dispatch_uid=f"search-{kind.key}-{model._meta.label}-{name}")
