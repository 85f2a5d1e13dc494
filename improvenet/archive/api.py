"""The open archive in the API: a cluster's whole archive as one zip (see docs/archive.md)."""

from ninja import Router

from improvenet.archive.download import archive_response, cluster_to_archive
from improvenet.archive.export import ExportRefused
from improvenet.lib.errors import Conflict
from improvenet.resources import ConflictError, Text

router = Router(tags=["Open archive"])


@router.get(
    "/clusters/{cluster}/archive", operation_id="export_cluster_archive", summary="Download the cluster's archive",
    response={200: None, 409: ConflictError},
    openapi_extra={"responses": {200: {"description": "The archive, as an attachment.", "content": {
        "application/zip": {"schema": {"type": "string", "format": "binary"}}}}}},
    description=(
        "The zip that `improvenet export` writes: one CSV per table, schema.json, README.txt and manifest.json. "
        "For the cluster's lead, network admins and superusers."
    ),
)
def export_archive(request, cluster: Text):
    cluster_obj = cluster_to_archive(request.auth, cluster)
    try:
        return archive_response(cluster_obj)
    except ExportRefused as refusal:
        raise Conflict(str(refusal), None) from None
