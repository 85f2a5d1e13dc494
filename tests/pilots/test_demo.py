"""The demo's product pilot: Riverside's MathPath pilot at Implement, its usage added up from the company's
per-student file, and the company's person reading the suppressed report and nothing else."""

from django.contrib.auth import get_user_model
from django_scopes import scope, scopes_disabled

from improvenet.demo import load_demo
from improvenet.demo.pilots import COMPANY_USER, ENROLLED, WEEKS_OF_USE
from improvenet.pilots.models import Pilot
from improvenet.pilots.report import pilot_report


def test_riverside_pilots_a_product_and_its_company_reads_the_suppressed_report(db, client):
    load_demo()
    with scopes_disabled():
        pilot = Pilot.objects.select_related("cluster", "product__privacy_agreement").get()
    assert (pilot.cluster.slug, pilot.stage, str(pilot.product)) == ("riverside", "implement", "MathPath 3.1")
    assert pilot.product.privacy_agreement.signed_on is not None
    with scope(cluster=pilot.cluster):
        upload = pilot.uploads.get()
        assert upload.per_student and upload.rows_read == sum(ENROLLED) * WEEKS_OF_USE
        assert pilot.usage_weeks.count() == 3 * WEEKS_OF_USE
        assert pilot.missing() == [], "the lead can move it on to Analyze"
        first_move = pilot.moves.order_by("moved_on").first().moved_on
        assert pilot.created_at.date() < first_move, "its history starts before its stages move on"
        report = pilot_report(pilot)
    hidden = [row for row in report.rows if row.suppressed]
    assert hidden and all(row.school != "All pilot schools" for row in hidden)
    client.force_login(get_user_model().objects.get(username=COMPANY_USER))
    assert client.get(f"/clusters/riverside/pilots/{pilot.pk}/report/").status_code == 200
    assert client.get("/clusters/riverside/").status_code == 404
