"""Demo evidence ledger: the change idea Riverside published and Lakeside adopted, with difference-in-differences
estimates from 8 Riverside schools and 3 Lakeside schools (Lakeside's team shares them with the network) and 2
external studies: heterogeneous enough that the interval for a new school crosses zero while the mean's does not.

The effects are those of docs/examples/tutoring-estimates.csv (the worked example of docs/synthesis.md). The
winter convening kept the pooled estimate of Riverside's 8 schools alone, so the spring packet names the idea
whose pooled effect and heterogeneity changed. Runs inside `load_demo`'s transaction with scopes disabled.
"""

from collections.abc import Callable

from improvenet.convenings.models import Convening
from improvenet.demo.network import LAKESIDE, RIVERSIDE
from improvenet.network.models import Cluster, School, current_on
from improvenet.sharing.models import Adoption, Publication
from improvenet.synthesis import meta
from improvenet.synthesis.models import ExternalStudy, PooledSnapshot, SchoolEstimate
from improvenet.synthesis.services import take_snapshot

OUTCOME = "Grade 9 GPA (standardized)"
START_YEAR = 2025
COMPARISON = "the cluster's comparison schools, school years 2021 to 2026"
# (effect, sampling variance, share of students in poverty, hours of the change a student received)
RIVERSIDE_ESTIMATES = [(0.21, 0.004, 0.62, 30), (0.05, 0.006, 0.41, 12), (0.33, 0.009, 0.78, 40),
                       (-0.08, 0.005, 0.35, 8), (0.12, 0.004, 0.55, 22), (0.27, 0.012, 0.71, 35),
                       (0.02, 0.007, 0.30, 10), (0.18, 0.006, 0.66, 28)]
LAKESIDE_ESTIMATES = [(0.40, 0.015, 0.82, 45), (-0.15, 0.010, 0.28, 6), (0.09, 0.003, 0.47, 18)]
EXTERNAL_STUDIES = [
    ("Rivera & Okafor (2022), Daily advisory check-ins in urban high schools", "https://example.org/rivera-2022",
     0.30, 0.020, 0.74, ExternalStudy.Rating.WITH_RESERVATIONS, "1,120 students in 12 high schools"),
    ("Lindqvist et al. (2019), Mentoring the transition to high school", "https://example.org/lindqvist-2019",
     0.11, 0.008, 0.50, ExternalStudy.Rating.WITHOUT_RESERVATIONS, "2,480 students in 20 high schools"),
]
INCLUDED_BECAUSE = ("Parallel trends before the start (no year differed by more than its interval) and the "
                    "school kept the change all year.")


def create_synthesis_demo(seed: int, report: Callable[[str], None]) -> None:
    riverside = Cluster.objects.get(slug=RIVERSIDE)
    publication = Publication.objects.filter(cluster=riverside).select_related("change_idea").first()
    if publication is None:
        return
    idea = publication.change_idea
    report(f"Recording the evidence ledger of “{idea.title}”: 8 Riverside schools, 3 Lakeside schools, 2 studies")
    _school_estimates(riverside, idea, RIVERSIDE_ESTIMATES, shared=False)
    adoption = Adoption.objects.filter(publication=publication, cluster__slug=LAKESIDE).first()
    if adoption is not None:
        _school_estimates(adoption.cluster, adoption.change_idea, LAKESIDE_ESTIMATES, shared=True)
    for citation, url, effect, variance, poverty, rating, sample in EXTERNAL_STUDIES:
        ExternalStudy.objects.create(
            cluster=riverside, change_idea=idea, citation=citation, url=url, outcome=OUTCOME, effect=effect,
            standard_error=variance ** 0.5, poverty_share=poverty, wwc_rating=rating, sample=sample,
            school_level=School.Level.HIGH, computed_from="the effect and its standard error",
        )
    winter, spring = Convening.objects.filter(cluster=riverside).order_by("held_on")[:2]
    before = meta.pool([e[0] for e in RIVERSIDE_ESTIMATES], [e[1] for e in RIVERSIDE_ESTIMATES])
    PooledSnapshot.objects.create(
        cluster=riverside, convening=winter, change_idea=idea, sites=before.k, estimate=before.estimate,
        ci_low=before.ci_low, ci_high=before.ci_high, tau2=before.tau2,
    )
    winter.kept_on = winter.held_on
    winter.save(update_fields=["kept_on"])
    take_snapshot(spring)  # the convenings demo marked the spring convening kept: its pooled effects, as today


def _school_estimates(cluster: Cluster, idea, estimates: list[tuple], shared: bool) -> None:
    schools = School.objects.filter(current_on(), cluster=cluster).order_by("name")[:len(estimates)]
    for school, (effect, variance, poverty, hours) in zip(schools, estimates, strict=True):
        SchoolEstimate.objects.create(
            cluster=cluster, change_idea=idea, school=school, outcome=OUTCOME, start_year=START_YEAR,
            comparison=COMPARISON, effect=effect, standard_error=variance ** 0.5, poverty_share=poverty,
            dosage=hours, included=True, inclusion_reason=INCLUDED_BECAUSE, shared_with_network=shared,
        )
