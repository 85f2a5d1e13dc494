"""Who may read and change partner agreements and their documents, on top of improvenet.network.access.

Everyone with a role in the cluster reads the registry (titles, parties, scope, dates). The documents
are the signed texts, with terms (money, staffing, data) the partners did not write for everyone:
the cluster lead, network admins and the longitudinal data team (who work under the data use
agreements) read them. The lead and network admins record agreements and attach documents.
"""

from django.core.exceptions import PermissionDenied

from improvenet.data.services import is_data_team_member
from improvenet.network.access import Access, member_of_cluster
from improvenet.network.models import Cluster
from improvenet.partners.models import Agreement, AgreementDocument


def agreement_for_user(cluster: Access[Cluster], pk: int) -> Access[Agreement]:
    return member_of_cluster(Agreement, cluster, pk, "agreement", related=["cluster"])


def may_read_documents(user, cluster: Access[Cluster]) -> bool:
    return cluster.can_change or is_data_team_member(user, cluster.obj)


def require_documents(user, cluster: Access[Cluster]) -> None:
    if not may_read_documents(user, cluster):
        raise PermissionDenied(
            "Agreement documents are read by the cluster lead, network admins and the longitudinal data team."
        )


def document_for_user(user, cluster: Access[Cluster], agreement: Agreement, pk: int) -> Access[AgreementDocument]:
    """A document of the agreement; its content is read only when the download needs it."""
    require_documents(user, cluster)
    return member_of_cluster(agreement.documents.all(), cluster, pk, "document")
