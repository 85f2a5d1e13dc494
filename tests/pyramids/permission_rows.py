"""Permission rows for the pyramid dashboards (see tests/permission_table.py)."""

from improvenet.network.models import School
from tests.permission_table import API_READ, RIVERSIDE_READ, Action


def demo_ids() -> dict:
    innovation = School.objects.filter(cluster__slug="riverside", level="high", role="innovation").order_by("name")
    middle = School.objects.filter(cluster__slug="riverside", level="middle").order_by("name").first()
    return {"pyramid_head": innovation.first().pk, "pyramid_middle": middle.pk}


def rows(ids) -> dict[str, Action]:
    c, head, middle = "/clusters/riverside", ids["pyramid_head"], ids["pyramid_middle"]
    not_a_pyramid = (302, 404, 404, 404, 404, 404, 404)
    return {
        "pyramid dashboards": Action("GET", f"{c}/pyramid-dashboards/", RIVERSIDE_READ),
        "pyramid dashboard": Action("GET", f"{c}/pyramid-dashboards/{head}/", RIVERSIDE_READ),
        "pyramid dashboard of a middle school": Action("GET", f"{c}/pyramid-dashboards/{middle}/", not_a_pyramid),
        "api pyramid dashboards": Action("GET", f"/api{c}/pyramids", API_READ),
        "api pyramid dashboard": Action("GET", f"/api{c}/pyramids/{head}", API_READ),
    }
