"""The archive page of a cluster and its download."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render

from improvenet.archive.download import archive_response, cluster_to_archive
from improvenet.archive.export import ExportRefused
from improvenet.archive.tables import ACCOUNTS, LEFT_OUT, LINK, archive_tables


def _contents(cluster) -> list[dict]:
    """What the archive will hold: each table of records with how many the cluster has now."""
    return [
        {"file": table.path, "label": str(table.model._meta.verbose_name_plural).capitalize(),
         "count": table.select(cluster.pk).count()}
        for table in archive_tables() if table.kind not in (ACCOUNTS, LINK)
    ]


@login_required
def archive_page(request, cluster: str, refusal: str = ""):
    cluster_obj = cluster_to_archive(request.user, cluster)
    context = {"cluster": cluster_obj, "tables": _contents(cluster_obj), "left_out": sorted(LEFT_OUT.items()),
               "refusal": refusal}
    return render(request, "archive/archive.html", context, status=409 if refusal else 200)


# Not in the request's transaction: on PostgreSQL the export opens its own, reading one snapshot.
@transaction.non_atomic_requests
@login_required
def archive_download(request, cluster: str):
    cluster_obj = cluster_to_archive(request.user, cluster)
    try:
        return archive_response(cluster_obj)
    except ExportRefused as refusal:
        return archive_page(request, cluster, refusal=str(refusal))
