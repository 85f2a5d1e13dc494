"""Permission rows for the data app's pages and API (see tests/permission_table.py).

The district's readers are alice (lead) and admin. carol is on Riverside's longitudinal data team (so
she loads and records opt-outs) but as a researcher she reads student-level pages only under her
agreement (which `demo_ids()` makes if the demo has none): she does not see the agreements or the loads.
bob (a school team member) and vera (a viewer) may read the cluster but no student-level page: 403.
Without a store the metric pages answer 200 with "no data loaded yet". Posts that would load or opt out
send an empty form: the answer is 422 for those allowed, so nothing is written to a store.
"""

import datetime

from django.contrib.auth import get_user_model

from improvenet.data.models import DataUseAgreement
from improvenet.data.services import METRIC_FIELDS
from improvenet.network.models import Cluster, School, current_on
from tests.permission_table import (
    API_DATA_TEAM_READ,
    API_LEAD_READ,
    DATA_TEAM_POST_EMPTY,
    DATA_TEAM_READ,
    LEAD_POST,
    LEAD_READ,
    Action,
)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    carol = get_user_model().objects.get(username="carol")
    today = datetime.date.today()
    agreement = DataUseAgreement.objects.filter(current_on(), cluster=riverside, researchers=carol,
                                                starts_on__lte=today, expires_on__gte=today).first()
    schools = list(School.objects.filter(current_on(), cluster=riverside).order_by("pk"))
    if agreement is None:
        agreement = DataUseAgreement.objects.create(
            cluster=riverside, project="Riverside attendance and graduation study",
            purpose="Trends in attendance, on-track and graduation in the innovation schools.",
            permitted_fields=sorted(set().union(*METRIC_FIELDS.values())),
            starts_on=today - datetime.timedelta(days=30), expires_on=today + datetime.timedelta(days=365),
        )
        agreement.researchers.add(carol)
        agreement.schools.set(schools)
    return {
        "data_agreement": agreement.pk,
        "data_agreement_form": {
            "project": "Permission test study", "purpose": "Checking who may change agreements.",
            "researchers": [carol.pk], "schools": [school.pk for school in schools[:2]],
            "permitted_fields": ["student.*", "student_school_association.*"],
            "starts_on": today.isoformat(), "expires_on": (today + datetime.timedelta(days=90)).isoformat(),
        },
    }


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/data"
    api = f"/api{c}"
    agreement, form = ids["data_agreement"], ids["data_agreement_form"]
    return {
        # Pages
        "data home": Action("GET", f"{c}/", DATA_TEAM_READ),
        "data load form": Action("GET", f"{c}/load/", DATA_TEAM_READ),
        "data load without a file": Action("POST", f"{c}/load/", DATA_TEAM_POST_EMPTY, {}),
        "data metrics' tables after a load": Action("GET", f"{c}/load/results/", DATA_TEAM_READ),
        "data opt-out form": Action("GET", f"{c}/opt-out/", DATA_TEAM_READ),
        "data opt-out without an id": Action("POST", f"{c}/opt-out/", DATA_TEAM_POST_EMPTY, {}),
        "data metric page": Action("GET", f"{c}/metrics/chronic-absenteeism/", DATA_TEAM_READ),
        "data retention page": Action("GET", f"{c}/metrics/teacher-retention/", DATA_TEAM_READ),
        "data metric csv": Action("GET", f"{c}/metrics/graduation-rate/csv/", DATA_TEAM_READ),
        "data comparison form": Action("GET", f"{c}/compare/", DATA_TEAM_READ),
        "data agreements": Action("GET", f"{c}/agreements/", LEAD_READ),
        "data agreement": Action("GET", f"{c}/agreements/{agreement}/", LEAD_READ),
        "data new agreement form": Action("GET", f"{c}/agreements/new/", LEAD_READ),
        "data create agreement": Action("POST", f"{c}/agreements/new/", LEAD_POST, form),
        "data edit agreement form": Action("GET", f"{c}/agreements/{agreement}/edit/", LEAD_READ),
        "data edit agreement": Action("POST", f"{c}/agreements/{agreement}/edit/", LEAD_POST, form),
        "data end agreement": Action("POST", f"{c}/agreements/{agreement}/end/", LEAD_POST, {}),
        "data audit log": Action("GET", f"{c}/audit/", LEAD_READ),
        "data audit log csv": Action("GET", f"{c}/audit/csv/", LEAD_READ),
        # API
        "api data metric": Action("GET", f"{api}/metrics/chronic-absenteeism", API_DATA_TEAM_READ),
        "api data agreements": Action("GET", f"{api}/agreements", API_LEAD_READ),
        "api data audit log": Action("GET", f"{api}/audit", API_LEAD_READ),
        "api data loads": Action("GET", f"{api}/loads", API_LEAD_READ),
    }
