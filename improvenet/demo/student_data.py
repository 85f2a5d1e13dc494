"""Demo student data: six synthetic school years for Riverside's schools in the analytics store.

The innovation pyramids improve from the school year after the cluster's launch (August 2024),
so the metric pages and the comparison with the comparison schools have something to show;
carol, the cluster's researcher, gets a data use agreement that covers the metrics.
"""

import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from improvenet.analytics.bundle import read_bundle
from improvenet.analytics.store import Store
from improvenet.analytics.synth import SchoolSpec, synthesize
from improvenet.analytics.synth_scores import add_assessment_scores
from improvenet.data.models import DataLoad, DataUseAgreement
from improvenet.data.services import METRIC_FIELDS, pseudonymizer, store_path
from improvenet.demo import studies
from improvenet.network.models import Cluster, School

STUDENTS_A_YEAR = 20_000
YEARS = 6
FIRST_YEAR = 2021
# Riverside launched in August 2024: the school year ending in 2025 is its first.
IMPROVEMENT_START_YEAR = 2025
CLUSTER_SLUG = "riverside"


def _pyramid_head(school: School, by_pk: dict[int, School]) -> School | None:
    seen = set()
    while school.feeds_into_id and school.pk not in seen:
        seen.add(school.pk)
        school = by_pk[school.feeds_into_id]
    return school if school.level == School.Level.HIGH else None


def school_specs(cluster: Cluster) -> tuple[SchoolSpec, ...]:
    """The cluster's schools as the synthetic district's, named by their state ids."""
    schools = list(School.objects.filter(cluster=cluster).order_by("name"))
    by_pk = {school.pk: school for school in schools}
    specs = []
    for school in schools:
        head = _pyramid_head(school, by_pk)
        feeds = head.state_id if head and head.pk != school.pk else None
        specs.append(SchoolSpec(school.state_id, school.name, school.level, feeds, school.role))
    return tuple(specs)


def create_student_data_demo(seed: int, report: Callable[[str], None], stores: Path, students: int = STUDENTS_A_YEAR,
                             years: int = YEARS) -> None:
    """Riverside's students into Riverside's own store in the folder `stores` (the last `years` school years
    of the six, about `students` students a year), with the demo study's reading scores; then the study is
    finished and published (studies.finish_and_publish_trial)."""
    cluster = Cluster.objects.get(slug=CLUSTER_SLUG)
    store = store_path(cluster, stores)
    users = get_user_model().objects.in_bulk(["alice", "carol"], field_name="username")
    keys = pseudonymizer(for_demo=True)
    started = timezone.now()
    with tempfile.TemporaryDirectory(prefix="improvenet-demo-") as folder:
        report(f"Writing {years} synthetic school years for about {students:,} Riverside students")
        specs = school_specs(cluster)
        synthesize(students, years, seed, folder, first_year=FIRST_YEAR + YEARS - years, schools=specs,
                   improvement_start_year=IMPROVEMENT_START_YEAR, lea_id="RIVERSIDE-USD")
        add_assessment_scores(folder, {spec.school_id: spec.feeds_into or spec.school_id for spec in specs},
                              seed=seed, assessment=studies.ASSESSMENT, subject=studies.SUBJECT,
                              trial=studies.planted_trial(cluster))
        report(f"Loading them, pseudonymized, into Riverside's analytics store {store}")
        loaded = Store(store).load(read_bundle(folder), keys, source="riverside-synthetic-bundle")
    DataLoad.objects.create(
        cluster=cluster, user=users["alice"], source="riverside-synthetic-bundle", format="bundle", channel="cli",
        started_at=started, finished_at=timezone.now(), status=DataLoad.Status.LOADED,
        rows={name: {"new": count.inserted, "replaced": count.replaced} for name, count in loaded.tables.items()},
        notes=["Synthetic data written by `improvenet demo`; no real student is in it."],
    )
    agreement = DataUseAgreement.objects.create(
        cluster=cluster, project="Riverside attendance and ninth-grade transitions",
        purpose="Study whether the innovation pyramids' work changes chronic absenteeism, ninth-grade on-track "
                "rates, graduation and teacher retention, against the comparison schools.",
        permitted_fields=sorted(set().union(*METRIC_FIELDS.values())),
        starts_on=datetime.date(2025, 9, 1), expires_on=datetime.date(2027, 8, 31),
        signed_on=datetime.date(2025, 8, 20),
        created_by=users["alice"],
    )
    agreement.researchers.add(users["carol"])
    agreement.schools.set(School.objects.filter(cluster=cluster))
    studies.finish_and_publish_trial(store, report)
