"""One page of search results over the documents of the clusters in scope, with the filters applied.

With words to search, the matches come best first, their matching words marked; with filters only,
the documents come newest first, so that "everything about this change idea" is a search too.
"""

import datetime
import math
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from improvenet.search import fulltext, query
from improvenet.search.index import flush
from improvenet.search.kinds import KINDS
from improvenet.search.models import SearchDocument

PER_PAGE = 20


@dataclass(frozen=True)
class Filters:
    text: str = ""
    kind: str = ""
    cluster_id: int | None = None
    school_id: int | None = None
    change_idea_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def words(self) -> list[str]:
        return query.terms(self.text)

    def apply(self, documents: QuerySet) -> QuerySet:
        lookups = {
            "kind": self.kind or None, "cluster_id": self.cluster_id, "school_id": self.school_id,
            "change_idea_id": self.change_idea_id, "date__gte": self.date_from, "date__lte": self.date_to,
        }
        return documents.filter(**{name: value for name, value in lookups.items() if value is not None})

    @property
    def is_empty(self) -> bool:
        return not self.words and self == Filters(text=self.text)


@dataclass(frozen=True)
class Result:
    document: SearchDocument
    title: SafeString
    snippet: SafeString

    @property
    def kind_label(self) -> str:
        kind = KINDS.get(self.document.kind)
        return kind.label if kind else self.document.kind


@dataclass(frozen=True)
class ResultPage:
    filters: Filters
    count: int
    number: int
    per_page: int
    results: list[Result]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.results else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.results) - 1 if self.results else 0


def find(filters: Filters, number: int = 1, per_page: int = PER_PAGE, offset: int | None = None) -> ResultPage:
    """The page `number` (or the results from `offset`) of the documents in the open scope matching `filters`."""
    flush()
    number = max(1, number)
    offset = (number - 1) * per_page if offset is None else offset
    documents = filters.apply(SearchDocument.objects.all())
    if filters.is_empty:
        return ResultPage(filters, 0, number, per_page, [])
    related = documents.select_related("cluster", "school", "change_idea")
    if filters.words:
        count, hits = fulltext.search(documents, filters.words, offset, per_page)
        found = related.in_bulk([hit.document_id for hit in hits])
        results = [Result(found[hit.document_id], hit.title, hit.snippet) for hit in hits if hit.document_id in found]
    else:
        count = documents.count()
        results = [
            Result(document, escape(document.title), mark_safe(escape(Truncator(document.body).words(30))))
            for document in related.order_by("-date", "-id")[offset:offset + per_page]
        ]
    return ResultPage(filters, count, number, per_page, results)
