"""Search API: the same search as the pages, over one cluster or every cluster the caller may read."""

import datetime

from django.core.exceptions import ValidationError
from django_scopes import scope
from ninja import Field, Query, Router, Schema

from improvenet.design.models import ChangeIdea
from improvenet.network.access import in_cluster, visible_clusters
from improvenet.network.models import School
from improvenet.resources import Day, RecordId, Text
from improvenet.search.kinds import KINDS
from improvenet.search.results import Filters, find

router = Router(tags=["Search"])
MAX_LIMIT = 100


class SearchParams(Schema):
    q: str = Field("", max_length=1000, description="Words to find; every word must appear, the last may be "
                                                    "the start of a longer word. Operators and quotes are ignored.")
    kind: str = Field("", description=f"Only records of this kind: {', '.join(KINDS)}.")
    date_from: Day | None = Field(None, description="Only records dated on or after this day.")
    date_to: Day | None = Field(None, description="Only records dated on or before this day.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"How many results to return (at most {MAX_LIMIT}).")
    offset: int = Field(0, ge=0, le=1_000_000, description="How many results to skip.")


class ClusterSearchParams(SearchParams):
    school_id: RecordId | None = Field(None, description="Only records of this school.")
    change_idea_id: RecordId | None = Field(None, description="Only records about this change idea.")


class NetworkSearchParams(SearchParams):
    cluster: str = Field("", description="Only this cluster (its slug).")


class SearchResultOut(Schema):
    kind: str
    kind_label: str
    id: int = Field(..., description="The id of the record found (a PDSA cycle's id for kind `cycle`, ...).")
    cluster: str
    title: str
    title_html: str = Field(..., description="The title, HTML-escaped, with the matching words in <mark>.")
    snippet_html: str = Field(..., description="A passage of the text, HTML-escaped, matching words in <mark>.")
    url: str
    date: datetime.date | None
    school_id: int | None
    school: str | None
    change_idea_id: int | None
    change_idea: str | None


class SearchPageOut(Schema):
    count: int
    limit: int
    offset: int
    words: list[str] = Field(..., description="The words searched for, as the search read the query.")
    items: list[SearchResultOut]


def _check(params: SearchParams) -> None:
    errors = {}
    if params.kind and params.kind not in KINDS:
        errors["kind"] = f"There is no kind “{params.kind}”; use one of {', '.join(KINDS)}."
    if params.date_from and params.date_to and params.date_to < params.date_from:
        errors["date_to"] = "The end of the date range is before its start."
    if errors:
        raise ValidationError(errors)


def _answer(filters: Filters, params: SearchParams) -> dict:
    page = find(filters, per_page=params.limit, offset=params.offset)
    items = [{
        "kind": r.document.kind, "kind_label": r.kind_label, "id": r.document.object_id,
        "cluster": r.document.cluster.slug, "title": r.document.title, "title_html": str(r.title),
        "snippet_html": str(r.snippet), "url": r.document.url, "date": r.document.date,
        "school_id": r.document.school_id, "school": r.document.school.name if r.document.school else None,
        "change_idea_id": r.document.change_idea_id,
        "change_idea": r.document.change_idea.title if r.document.change_idea else None,
    } for r in page.results]
    return {"count": page.count, "limit": params.limit, "offset": params.offset, "words": filters.words,
            "items": items}


def _refer(model, pk: int | None, field: str, label: str) -> int | None:
    """The id when it names a record in the open cluster scope; otherwise a 422 naming the field."""
    if pk is not None and not model.objects.filter(pk=pk).exists():
        raise ValidationError({field: f"There is no {label} with id {pk} in this cluster."})
    return pk


@router.get("/clusters/{cluster}/search", response=SearchPageOut, operation_id="search_cluster",
            summary="Search a cluster's PDSA cycles, change ideas, design notes and decisions")
def search_cluster(request, cluster: Text, params: Query[ClusterSearchParams]):
    with in_cluster(request.auth, cluster):
        _check(params)
        filters = Filters(
            text=params.q, kind=params.kind, date_from=params.date_from, date_to=params.date_to,
            school_id=_refer(School, params.school_id, "school_id", "school"),
            change_idea_id=_refer(ChangeIdea, params.change_idea_id, "change_idea_id", "change idea"),
        )
        return _answer(filters, params)


@router.get("/search", response=SearchPageOut, operation_id="search_network",
            summary="Search every cluster the caller may read")
def search_network(request, params: Query[NetworkSearchParams]):
    clusters = list(visible_clusters(request.auth))
    chosen = [c for c in clusters if c.slug == params.cluster] if params.cluster else clusters
    if params.cluster and not chosen:
        raise ValidationError({"cluster": f"You may read no cluster “{params.cluster}”."})
    _check(params)
    with scope(cluster=chosen):
        filters = Filters(text=params.q, kind=params.kind, date_from=params.date_from, date_to=params.date_to)
        return _answer(filters, params)
