"""Demo family pages for Riverside: published, with an office for questions, and two pending opt-out requests.

The requests are made up (ids of the demo's district file format, birth dates of school-age students),
with reference codes drawn from the seed so that the demo is the same every time.
"""

import datetime
import random
from collections.abc import Callable

from improvenet.demo.network import RIVERSIDE
from improvenet.families.models import REFERENCE_ALPHABET, FamilyPages, OptOutRequest
from improvenet.network.models import Cluster, School, current_on

CONTACT = {
    "contact_office": "the Riverside Unified family research line",
    "contact_email": "research-families@riverside.example.org",
    "contact_phone": "(555) 010-2040",
}
REQUESTS = (
    # (student id, date of birth, guardian, contact, language of the page used)
    ("RV-{:06d}", datetime.date(2013, 4, 17), "M. Ortega", "(555) 010-7731", "es"),
    ("RV-{:06d}", datetime.date(2010, 11, 2), "J. Whitfield", "j.whitfield@example.org", "en"),
)


def create_families_demo(seed: int, report: Callable[[str], None]) -> None:
    rng = random.Random(f"families-{seed}")
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    report(f"Publishing {cluster.name}'s family pages, with {len(REQUESTS)} pending opt-out requests")
    FamilyPages.objects.create(cluster=cluster, published=True, **CONTACT)
    schools = list(School.objects.filter(current_on(), cluster=cluster).order_by("name"))
    OptOutRequest.objects.bulk_create(
        OptOutRequest(
            cluster=cluster, school=rng.choice(schools), student_id=student_id.format(rng.randrange(10**6)),
            date_of_birth=born, guardian_name=guardian, contact=contact, language=language,
            reference="OPT-" + "-".join("".join(rng.choice(REFERENCE_ALPHABET) for _ in range(4)) for _ in range(2)),
        )
        for student_id, born, guardian, contact, language in REQUESTS
    )
