"""Demo study: a registered, school-randomized trial of peer tutoring across Riverside's at-large pyramids.

The schools of the four at-large pyramids were assigned within their pyramids (the blocks), half of each to peer
tutoring at lunch, at the start of the 2025–26 school year; the outcome is the spring reading benchmark. carol,
the researcher, reads its sample under its own data use agreement. It is shared with Lakeside, whose members (dan)
read its summary. With student data (improvenet.demo.student_data),
the store's reading scores carry a planted effect of PLANTED_EFFECT standard deviations in the treated schools
from 2025–26, which the study's analysis recovers: the trial is then finished (carol estimates its impact) and
published to the network's library, where every cluster of the network (dan too) reads its results.
"""

import datetime
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from improvenet.analytics.synth_scores import SCALE_SD, Trial
from improvenet.data.models import DataUseAgreement
from improvenet.demo.network import ALICE, CAROL, LAKESIDE, RIVERSIDE
from improvenet.design.models import ChangeIdea
from improvenet.network.access import cluster_for_user
from improvenet.network.models import Cluster, School
from improvenet.studies import analysis, publishing, randomization
from improvenet.studies.access import district_access
from improvenet.studies.models import Allocation, Study
from improvenet.studies.services import block_of

TITLE = "Peer tutoring at lunch: a school-randomized trial in the at-large pyramids"
CHANGE_IDEA = "Peer tutoring at lunch"
ASSESSMENT, SUBJECT = "Spring reading benchmark", "reading"
OUTCOME = f"assessment/{ASSESSMENT}/{SUBJECT}"
PLANTED_EFFECT = 0.25
"""Standard deviations of the reading score: 10 scale points."""
PLANTED_POINTS = PLANTED_EFFECT * SCALE_SD
STARTS_ON, ENDS_ON = datetime.date(2025, 9, 15), datetime.date(2026, 6, 12)
OUTCOME_YEAR = 2026
REGISTERED_ON = datetime.date(2025, 8, 28)
ALLOCATION_SEED = 20250829


def create_studies_demo(seed: int, report: Callable[[str], None]) -> None:
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    users = get_user_model().objects.in_bulk([ALICE, CAROL], field_name="username")
    alice, carol = users[ALICE], users[CAROL]
    schools = at_large_schools(cluster)
    agreement = DataUseAgreement.objects.create(
        cluster=cluster, project="Riverside peer tutoring trial",
        purpose="Estimate the effect of peer tutoring at lunch on spring reading scores in the at-large pyramids.",
        permitted_fields=["student_assessment.*", "student_school_association.*"],
        starts_on=datetime.date(2025, 8, 1), expires_on=datetime.date(2027, 8, 31),
        signed_on=datetime.date(2025, 7, 24), created_by=alice,
    )
    agreement.researchers.add(carol)
    agreement.schools.set(School.objects.filter(cluster=cluster))
    study = Study.objects.create(
        cluster=cluster, title=TITLE, change_idea=ChangeIdea.objects.get(cluster=cluster, title=CHANGE_IDEA),
        question="Does peer tutoring at lunch raise students' spring reading scores?",
        design=Study.Design.RANDOMIZED, assignment_level=Study.Level.SCHOOL, block_level=Study.BlockLevel.PYRAMID,
        primary_outcome=OUTCOME, smallest_effect=0.20, starts_on=STARTS_ON, ends_on=ENDS_ON, agreement=agreement,
        power_design="bcra3f2",
        power_parameters={"n": 120, "J": round(len(schools) / 4), "K": 4, "rho2": 0.10, "R1": 0.45, "R2": 0.6,
                          "g": 1},
        created_by=carol,
    )
    # Lakeside takes part: its members (dan) read the study's summary, not its allocation or impact.
    study.shared_with.add(Cluster.objects.get(slug=LAKESIDE))
    study.register(carol)
    # Registered before the school year, as the trial would have been.
    Study.objects.filter(pk=study.pk).update(
        registered_at=timezone.make_aware(datetime.datetime.combine(REGISTERED_ON, datetime.time(10))))
    study.refresh_from_db()
    units = [{"unit": str(school.pk), "name": school.name, "block": block_of(study, school)} for school in schools]
    drawn = randomization.Procedure(units=[unit["unit"] for unit in units],
                                    blocks=[unit["block"] for unit in units]).draw(ALLOCATION_SEED)
    Allocation.record(study, drawn, units, 0.5, {}, carol, "web")
    report(f"A registered school-randomized study across {len(schools)} at-large schools in 4 pyramids, "
           f"{sum(drawn.treated)} assigned to peer tutoring")


def at_large_schools(cluster: Cluster) -> list[School]:
    """The schools of the cluster's at-large pyramids, in order of name (the allocation's order)."""
    schools = [school for pyramid in cluster.pyramids() if pyramid.role == School.Role.AT_LARGE
               for school in pyramid.schools]
    return sorted(schools, key=lambda school: (school.name, school.pk))


def planted_trial(cluster: Cluster) -> Trial:
    """The demo study's allocation as the synthetic scores take it: the treated schools by their state id."""
    study = Study.objects.get(cluster=cluster, title=TITLE)
    states = dict(School.objects.filter(cluster=cluster).values_list("pk", "state_id"))
    treated = {states[int(unit["unit"])]: unit["treated"] for unit in study.current_allocation().units}
    return Trial(treated, OUTCOME_YEAR, PLANTED_EFFECT)


def finish_and_publish_trial(store: Path, report: Callable[[str], None]) -> None:
    """Estimate the trial's impact from the demo's store, as carol, and publish it to the network's library."""
    carol = get_user_model().objects.get(username=CAROL)
    study = Study.objects.get(cluster__slug=RIVERSIDE, title=TITLE)
    result = analysis.analyse(study, carol, district_access(cluster_for_user(carol, RIVERSIDE)), channel="cli",
                              store_path=store)
    publishing.publish(study, carol, channel="cli")
    report(f"The trial finished: Hedges' g = {result.figures['cr2']['hedges_g']:+.2f} on "
           f"{result.figures['cr2']['n_analyzed']:,} students; published to the network's library")
