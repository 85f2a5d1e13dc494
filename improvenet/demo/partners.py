"""Demo agreements of Riverside: with the school board, the teachers' union, the university as lead
partner and a funder. The union's agreement on mentor roles expires within 90 days of the day the
demo is loaded (its dates are counted from today), so the expiring page and the reminders have
something to show; a short signed copy (a generated PDF) is attached to it.
"""

import datetime
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone

from improvenet.demo.network import (
    ALICE,
    RIVERSIDE,
    RIVERSIDE_BOARD,
    RIVERSIDE_DISTRICT,
    RIVERSIDE_FUNDER,
    RIVERSIDE_UNION,
    RIVERSIDE_UNIVERSITY,
)
from improvenet.network.models import Cluster, Organization
from improvenet.partners.documents import attach
from improvenet.partners.models import Agreement

D = datetime.date
UNION_AGREEMENT = "Agreement on mentor roles and new-teacher induction"


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing the lines in Helvetica, small enough to build by hand."""
    text = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
    ) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def create_partners_demo(seed: int, report: Callable[[str], None]) -> None:
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    lead = get_user_model().objects.filter(username=ALICE).first()
    organizations = {o.name: o for o in Organization.objects.filter(cluster=cluster)}
    district = organizations[RIVERSIDE_DISTRICT]
    today = timezone.localdate()
    # The union's agreement: its renewal decision a month ahead, its expiry two months ahead.
    union_renews, union_expires = today + datetime.timedelta(days=30), today + datetime.timedelta(days=60)
    plans = [
        (UNION_AGREEMENT, Agreement.Kind.UNION, RIVERSIDE_UNION,
         "Premium mentor roles for master teachers in the cluster schools, release time for mentoring, and the "
         "two-year induction of new teachers before their placement elsewhere in the district.",
         min(D(2024, 8, 15), today), union_renews, union_expires, min(D(2024, 8, 9), today)),
        ("Memorandum of understanding with the Board of Education", Agreement.Kind.SCHOOL_BOARD, RIVERSIDE_BOARD,
         "The board endorses the cluster, receives a report each semester and names a member to the standing panel.",
         D(2025, 7, 1), D(2027, 5, 1), D(2027, 6, 30), D(2025, 6, 18)),
        ("Lead partner agreement with Riverside State University", Agreement.Kind.LEAD_PARTNER, RIVERSIDE_UNIVERSITY,
         "The university leads the research on the cluster's improvement work, facilitates the design teams and "
         "trains the data team; publications are shared with the district before release.",
         D(2024, 7, 1), None, D(2028, 6, 30), D(2024, 6, 20)),
        ("Harbor Light Foundation grant agreement", Agreement.Kind.FUNDING, RIVERSIDE_FUNDER,
         "Three years of funding for mentor stipends and the convenings, with a yearly report to the foundation.",
         D(2025, 1, 1), D(2027, 6, 30), D(2027, 12, 31), D(2024, 12, 12)),
    ]
    report(f"Recording {len(plans)} partner agreements of {cluster.name}")
    agreements = {}
    for title, kind, partner, scope, starts_on, renews_on, expires_on, signed_on in plans:
        agreement = Agreement(cluster=cluster, title=title, kind=kind, scope=scope, starts_on=starts_on,
                              renews_on=renews_on, expires_on=expires_on, signed_on=signed_on, created_by=lead)
        agreement.full_clean(exclude=["parties"])
        agreement.save()
        agreement.parties.set([district, organizations[partner]])
        agreements[title] = agreement
    attach(agreements[UNION_AGREEMENT], "union-agreement-signed.pdf", _pdf([
        UNION_AGREEMENT,
        f"Between {RIVERSIDE_DISTRICT} and {RIVERSIDE_UNION}.",
        f"In force until {union_expires:%B %-d, %Y}. Demo document: no real agreement.",
    ]), "Signed copy (demo)", lead)
