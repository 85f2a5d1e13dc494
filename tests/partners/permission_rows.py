"""Permission rows for the partners app (see tests/permission_table.py).

Everyone who reads Riverside reads the registry, the expiring list and each agreement; alice (lead)
and the network admin record, change and end agreements and attach documents. The documents are
read by the lead, network admins and the longitudinal data team (carol is on it; bob and vera are not).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from improvenet.network.models import Cluster, Organization
from improvenet.partners.models import Agreement, AgreementDocument
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_DATA_TEAM_READ,
    API_READ,
    DATA_TEAM_READ,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)

# A JSON post without the multipart file: the lead gets past the permission check to the missing file.
API_ATTACH_WITHOUT_FILE = (401, 422, 403, 403, 403, 404, 422)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    document = AgreementDocument.objects.get(agreement__cluster=riverside)
    other = Agreement.objects.filter(cluster=riverside).exclude(pk=document.agreement_id).first()
    district = Organization.objects.get(cluster=riverside, kind="district")
    return {"agreement": document.agreement_id, "agreement_document": document.pk, "agreement_other": other.pk,
            "agreement_party": district.pk}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/agreements"
    agreement, document, other, party = (ids["agreement"], ids["agreement_document"], ids["agreement_other"],
                                         ids["agreement_party"])
    form = {"title": "Community schools agreement", "kind": "other", "parties": [party], "scope": "",
            "starts_on": "2025-09-01", "expires_on": "2027-08-31"}
    api = "/api/clusters/riverside/agreements"
    return {
        # Pages
        "agreement registry": Action("GET", f"{c}/", RIVERSIDE_READ),
        "agreements expiring": Action("GET", f"{c}/expiring/", RIVERSIDE_READ),
        "new agreement form": Action("GET", f"{c}/new/", RIVERSIDE_CHANGE_FORM),
        "create agreement": Action("POST", f"{c}/new/", RIVERSIDE_CHANGE_POST, form),
        "agreement page": Action("GET", f"{c}/{agreement}/", RIVERSIDE_READ),
        "edit agreement form": Action("GET", f"{c}/{agreement}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit agreement": Action("POST", f"{c}/{other}/edit/", RIVERSIDE_CHANGE_POST, form),
        "end agreement": Action("POST", f"{c}/{other}/end/", RIVERSIDE_CHANGE_POST, {"ended_on": ""}),
        "attach document form": Action("GET", f"{c}/{agreement}/documents/new/", RIVERSIDE_CHANGE_FORM),
        "attach document": Action("POST", f"{c}/{agreement}/documents/new/", RIVERSIDE_CHANGE_POST,
                                  {"file": SimpleUploadedFile("note.txt", b"Signed."), "description": ""}),
        "download agreement document": Action("GET", f"{c}/{agreement}/documents/{document}/", DATA_TEAM_READ),
        # API
        "api list agreements": Action("GET", api, API_READ),
        "api agreements expiring": Action("GET", f"{api}/expiring", API_READ),
        "api create agreement": Action("POST", api, API_CREATE, {
            "title": "Community schools", "kind": "other", "party_ids": [party], "starts_on": "2025-09-01"}),
        "api read agreement": Action("GET", f"{api}/{agreement}", API_READ),
        "api change agreement": Action("PATCH", f"{api}/{agreement}", API_CHANGE, {"scope": "Mentor roles."}),
        "api end agreement": Action("POST", f"{api}/{other}/end", API_CHANGE, {}),
        "api list agreement documents": Action("GET", f"{api}/{agreement}/documents", API_DATA_TEAM_READ),
        "api attach agreement document": Action("POST", f"{api}/{agreement}/documents", API_ATTACH_WITHOUT_FILE),
        "api download agreement document": Action("GET", f"{api}/{agreement}/documents/{document}",
                                                  API_DATA_TEAM_READ),
    }
