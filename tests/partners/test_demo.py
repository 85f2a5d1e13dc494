"""The demo's agreements: Riverside's board, union, university and funder, one expiring soon, a signed copy,
and the privacy agreement of the product pilot's company (docs/pilots.md)."""

import io

from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from improvenet.demo import load_demo
from improvenet.network.models import Cluster
from improvenet.partners import registry
from improvenet.partners.models import AgreementDocument


def test_riverside_has_five_agreements_one_expiring_soon_with_a_document(db):
    with transaction.atomic():
        load_demo()
        with scopes_disabled():
            riverside = Cluster.objects.get(slug="riverside")
        today = timezone.localdate()
        with scope(cluster=riverside):
            entries = registry.entries(riverside, today)
            assert {e.kind for e in entries} == {"union", "school_board", "lead_partner", "funding", "data_use"}
            due = registry.expiring(riverside, today)
            assert {(e.kind, d.kind) for e, d in due} == {("union", "renewal"), ("union", "expiry")}
            # The partner agreements name their two parties; the studies' data use agreements name researchers.
            partner_agreements = [e for e in entries if e.source == registry.AGREEMENT]
            assert len(partner_agreements) == 5
            assert [e.title for e in entries if e.source == registry.DATA_USE] == ["Riverside peer tutoring trial"]
            assert all(len(e.parties) == 2 and "Riverside Unified School District" in e.parties
                       for e in partner_agreements)
            document = AgreementDocument.objects.get()
            assert document.agreement.kind == "union" and document.name == "union-agreement-signed.pdf"
            text = PdfReader(io.BytesIO(bytes(document.content))).pages[0].extract_text()
            assert "Riverside Federation of Teachers" in text
        transaction.set_rollback(True)
