"""Who may download a cluster's archive, and the download itself (shared by the page and the API)."""

import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.utils import timezone

from improvenet.archive.export import export_cluster
from improvenet.network import access as acc
from improvenet.network.models import Cluster

# Archives up to this size stay in memory while they are sent; larger ones go to a temporary file.
IN_MEMORY_BYTES = 32 * 1024 * 1024


def cluster_to_archive(user, slug: str) -> Cluster:
    """The cluster, when the user may take all of its records away: its lead, a network admin or a superuser.

    Other readers of the cluster are refused (403); people who may not read it at all get 404.
    """
    if user.is_authenticated and user.is_superuser:
        cluster = Cluster.objects.select_related("network").filter(slug=slug).first()
        if cluster is None:
            raise Http404("No such cluster.")
        return cluster
    access = acc.cluster_for_user(user, slug)
    if not access.can_change:
        raise PermissionDenied("Only the cluster's lead or a network admin exports the whole cluster.")
    return access.obj


def archive_response(cluster: Cluster) -> FileResponse:
    """The cluster's archive as a zip download; ExportRefused when a row cannot be archived."""
    body = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
    try:
        export_cluster(cluster, body)
    except BaseException:
        body.close()
        raise
    body.seek(0)
    filename = f"improvenet-{cluster.slug}-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(body, as_attachment=True, filename=filename, content_type="application/zip")
