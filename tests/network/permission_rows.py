"""Permission rows for the network model's pages and API, and for the account pages."""

from improvenet.network.models import Membership, Organization, Person, Phase, School, Team
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_READ,
    PUBLIC,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    SIGNED_IN,
    Action,
)


def demo_ids() -> dict:
    high = School.objects.filter(cluster__slug="riverside", level="high", role="innovation").first()
    team = Team.objects.filter(cluster__slug="riverside", kind="school_design").first()
    membership = Membership.objects.filter(team=team, ended_on__isnull=True).first()
    return {
        "high": high.pk,
        "organization": Organization.objects.filter(cluster__slug="riverside", kind="nonprofit").first().pk,
        "person": Person.objects.filter(cluster__slug="riverside", ended_on__isnull=True).first().pk,
        "team": team.pk,
        "membership": membership.pk,
        "high_form": {"name": high.name, "level": "high", "role": high.role, "lowest_grade": 9,
                      "highest_grade": 12, "nces_id": high.nces_id, "state_id": high.state_id},
        "team_form": {"name": team.name, "kind": team.kind, "school": team.school_id},
        **phase_ids(),
    }


def phase_ids() -> dict:
    phase = Phase.objects.filter(cluster__slug="riverside", stage="initial_implementation").first()
    return {"phase": phase.pk, "phase_form": {"stage": phase.stage, "starts_on": str(phase.starts_on),
                                              "ends_on": str(phase.ends_on), "summary": phase.summary}}


def phase_rows(ids) -> dict[str, Action]:
    c, phase = "/clusters/riverside", ids["phase"]
    # Riverside has every stage already: a new phase conflicts (409) once the caller may add one.
    create_conflicts = (401, 409, 403, 403, 403, 404, 409)
    new_phase = {"stage": "research", "starts_on": "2020-01-01", "ends_on": "2020-06-30"}
    return {
        "phases page": Action("GET", f"{c}/phases/", RIVERSIDE_READ),
        "new phase form": Action("GET", f"{c}/phases/new/", RIVERSIDE_CHANGE_FORM),
        "phase edit form": Action("GET", f"{c}/phases/{phase}/edit/", RIVERSIDE_CHANGE_FORM),
        "phase edit": Action("POST", f"{c}/phases/{phase}/edit/", RIVERSIDE_CHANGE_POST, ids["phase_form"]),
        "api phases": Action("GET", f"/api{c}/phases", API_READ),
        "api phase": Action("GET", f"/api{c}/phases/{phase}", API_READ),
        "api create phase": Action("POST", f"/api{c}/phases", create_conflicts, new_phase),
        "api change phase": Action("PATCH", f"/api{c}/phases/{phase}", API_CHANGE, {"summary": "Changed."}),
    }


def school_body(ids):
    return {"name": "Permission Test Elementary", "level": "elementary", "role": "feeder", "lowest_grade": 0,
            "highest_grade": 5, "feeds_into_id": ids["high"], "feeds_into": ids["high"]}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside"
    s, o, p, t, m = ids["high"], ids["organization"], ids["person"], ids["team"], ids["membership"]
    org = {"name": "Permission Test Partner", "kind": "nonprofit"}
    person = {"given_name": "Test", "family_name": "Person"}
    team = {"name": "Permission Test Team", "kind": "other"}
    member = {"team_id": t, "person_id": p, "role": "Guest", "started_on": "2026-01-05"}
    member_form = {"person": p, "role": "Guest", "started_on": "2026-01-05"}
    cluster_form = {"name": "Riverside", "status": "launched", "region": "Port Riverside", "stale_cycle_days": 21}
    rows = {
        # Pages
        "networks list": Action("GET", "/networks/", SIGNED_IN),
        "health check": Action("GET", "/health", PUBLIC),
        "network page": Action("GET", "/networks/great-lakes/", SIGNED_IN),
        "new cluster form": Action("GET", "/networks/great-lakes/clusters/new/", (302, 403, 403, 403, 403, 403, 200)),
        "create cluster": Action("POST", "/networks/great-lakes/clusters/new/", (302, 403, 403, 403, 403, 403, 302),
                                 {"name": "Hillside", "slug": "hillside", "status": "exploring"}),
        "cluster home": Action("GET", f"{c}/", RIVERSIDE_READ),
        "cluster directory": Action("GET", f"{c}/directory/", RIVERSIDE_READ),
        "running the cluster": Action("GET", f"{c}/running/", RIVERSIDE_READ),
        "other cluster home": Action("GET", "/clusters/lakeside/", (302, 404, 404, 404, 404, 200, 200)),
        "cluster edit form": Action("GET", f"{c}/edit/", RIVERSIDE_CHANGE_FORM),
        "cluster edit": Action("POST", f"{c}/edit/", RIVERSIDE_CHANGE_POST, cluster_form),
        "pyramid": Action("GET", f"{c}/pyramids/{s}/", RIVERSIDE_READ),
        "school page": Action("GET", f"{c}/schools/{s}/", RIVERSIDE_READ),
        "organization page": Action("GET", f"{c}/organizations/{o}/", RIVERSIDE_READ),
        "people page": Action("GET", f"{c}/people/", RIVERSIDE_READ),
        "person page": Action("GET", f"{c}/people/{p}/", RIVERSIDE_READ),
        "team page": Action("GET", f"{c}/teams/{t}/", RIVERSIDE_READ),
        "new member form": Action("GET", f"{c}/teams/{t}/members/new/", RIVERSIDE_CHANGE_FORM),
        "add member": Action("POST", f"{c}/teams/{t}/members/new/", RIVERSIDE_CHANGE_POST, member_form),
        "edit member form": Action("GET", f"{c}/memberships/{m}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit member": Action("POST", f"{c}/memberships/{m}/edit/", RIVERSIDE_CHANGE_POST, member_form),
        "end member": Action("POST", f"{c}/memberships/{m}/end/", RIVERSIDE_CHANGE_POST, {}),
        # Accounts
        "tokens page": Action("GET", "/accounts/tokens/", SIGNED_IN),
        "create token": Action("POST", "/accounts/tokens/", SIGNED_IN, {"name": "permission test"}),
        "revoke alice's token": Action("POST", f"/accounts/tokens/{ids['alice_token']}/revoke/",
                                       (302, 302, 404, 404, 404, 404, 404)),
        "admin": Action("GET", "/admin/", (302, 302, 302, 302, 302, 302, 200)),
        "admin schools": Action("GET", "/admin/network/school/", (302, 302, 302, 302, 302, 302, 200)),
        # API: networks and clusters
        "api networks": Action("GET", "/api/networks", (401, 200, 200, 200, 200, 200, 200)),
        "api create network": Action("POST", "/api/networks", (401, 403, 403, 403, 403, 403, 201),
                                     {"slug": "prairie", "name": "Prairie"}),
        "api network": Action("GET", "/api/networks/great-lakes", (401, 200, 200, 200, 200, 200, 200)),
        "api change network": Action("PATCH", "/api/networks/great-lakes", (401, 403, 403, 403, 403, 403, 200),
                                     {"description": "Changed"}),
        "api end network": Action("POST", "/api/networks/great-lakes/end", (401, 403, 403, 403, 403, 403, 200), {}),
        "api clusters": Action("GET", "/api/clusters", (401, 200, 200, 200, 200, 200, 200)),
        "api create cluster": Action("POST", "/api/clusters", (401, 403, 403, 403, 403, 403, 201),
                                     {"network": "great-lakes", "slug": "hillside", "name": "Hillside"}),
        "api cluster": Action("GET", "/api/clusters/riverside", API_READ),
        "api change cluster": Action("PATCH", "/api/clusters/riverside", API_CHANGE, {"region": "Lakeshore"}),
        "api end cluster": Action("POST", "/api/clusters/riverside/end", (401, 403, 403, 403, 403, 404, 200), {}),
    }
    resources = {
        "organizations": (o, org), "schools": (s, school_body(ids)), "people": (p, person), "teams": (t, team),
        "memberships": (m, member),
    }
    for kind, (record, body) in resources.items():
        api_body = {k: v for k, v in body.items() if k != "feeds_into"}
        rows |= {
            f"api list {kind}": Action("GET", f"/api{c}/{kind}", API_READ),
            f"api create {kind}": Action("POST", f"/api{c}/{kind}", API_CREATE, api_body),
            f"api read {kind}": Action("GET", f"/api{c}/{kind}/{record}", API_READ),
            f"api change {kind}": Action("PATCH", f"/api{c}/{kind}/{record}", API_CHANGE, {}),
            f"api end {kind}": Action("POST", f"/api{c}/{kind}/{record}/end", API_CHANGE, {}),
            f"end {kind}": Action("POST", f"{c}/{kind}/{record}/end/", RIVERSIDE_CHANGE_POST, {}),
        }
        if kind != "memberships":
            form_body = {k: v for k, v in body.items() if k != "feeds_into_id"}
            rows |= {
                f"new {kind} form": Action("GET", f"{c}/{kind}/new/", RIVERSIDE_CHANGE_FORM),
                f"create {kind}": Action("POST", f"{c}/{kind}/new/", RIVERSIDE_CHANGE_POST, form_body),
                f"edit {kind} form": Action("GET", f"{c}/{kind}/{record}/edit/", RIVERSIDE_CHANGE_FORM),
            }
    # Editing through the form needs the record's own valid values: posted as they are.
    rows["edit schools"] = Action("POST", f"{c}/schools/{s}/edit/", RIVERSIDE_CHANGE_POST, ids["high_form"])
    rows["edit organizations"] = Action("POST", f"{c}/organizations/{o}/edit/", RIVERSIDE_CHANGE_POST, org)
    rows["edit people"] = Action("POST", f"{c}/people/{p}/edit/", RIVERSIDE_CHANGE_POST, person)
    rows["edit teams"] = Action("POST", f"{c}/teams/{t}/edit/", RIVERSIDE_CHANGE_POST, ids["team_form"])
    return rows | phase_rows(ids)


