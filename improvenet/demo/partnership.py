"""Demo partnership health for Riverside: four rounds of self-assessment by five partner organizations.

The ratings are fixed so the report always shows the same story: continuous improvement and
capacity building grow round after round, coordination settles at "established", and on equity
the district rates itself well ahead of the parent alliance (a gap of two levels in the last two
rounds). The seed only chooses among evidence phrasings. Runs inside `load_demo`'s transaction with
scopes disabled; the rubric is the default one, saved as version 1.
"""

import random
from collections.abc import Callable
from datetime import date

from django.contrib.auth import get_user_model

from improvenet.demo.network import (
    ALICE,
    CAROL,
    RIVERSIDE,
    RIVERSIDE_BOARD,
    RIVERSIDE_DISTRICT,
    RIVERSIDE_PARENTS,
    RIVERSIDE_UNION,
    RIVERSIDE_UNIVERSITY,
    VERA,
)
from improvenet.network.models import Cluster, Organization
from improvenet.partnership import health as ph
from improvenet.partnership.models import Rating, Round, Rubric, SelfAssessment, rubric_to_data

ROUNDS = (
    (date(2024, 10, 7), "Fall 2024 self-assessment", "Baseline, before the first school year of cycles."),
    (date(2025, 3, 3), "Spring 2025 self-assessment", "After the first semester of PDSA cycles."),
    (date(2025, 10, 6), "Fall 2025 self-assessment", "Start of the second school year."),
    (date(2026, 3, 2), "Spring 2026 self-assessment", "Before the spring convening."),
)

# Level numbers (1 = beginning … 4 = sustaining) per round, by organization and dimension:
# continuous improvement, equity, coordination, capacity building.
RATINGS = {
    RIVERSIDE_DISTRICT: ((1, 2, 2, 1), (2, 2, 2, 2), (3, 3, 3, 2), (3, 3, 3, 3)),
    RIVERSIDE_UNIVERSITY: ((1, 2, 1, 1), (2, 2, 2, 2), (2, 2, 3, 2), (3, 2, 3, 3)),
    RIVERSIDE_BOARD: ((1, 1, 2, 1), (1, 2, 2, 1), (2, 2, 2, 2), (3, 2, 3, 2)),
    RIVERSIDE_UNION: ((1, 1, 1, 1), (2, 1, 2, 1), (2, 2, 2, 2), (3, 2, 3, 3)),
    RIVERSIDE_PARENTS: ((1, 1, 1, 1), (1, 1, 1, 1), (2, 1, 2, 2), (2, 1, 3, 2)),
}
RECORDED_BY = {RIVERSIDE_UNIVERSITY: CAROL, RIVERSIDE_BOARD: VERA}  # the others: alice, the lead

EVIDENCE = {
    "continuous_improvement": ("PDSA cycle logs reviewed at the district design team meeting",
                               "run charts of the outcome measures discussed at the convening",
                               "minutes of the monthly data meeting"),
    "equity": ("outcome measures broken down by student group in the quarterly report",
               "notes from the family listening sessions",
               "who sat on the design teams this semester"),
    "coordination": ("the partnership's roles and meeting calendar",
                     "the signed data use agreement and its renewal",
                     "attendance at the standing panel"),
    "capacity_building": ("the list of staff who led a PDSA cycle on their own",
                          "improvement-coach training records",
                          "the mentoring log of the induction program"),
}


def create_partnership_demo(seed: int, report: Callable[[str], None]) -> None:
    rng = random.Random(seed)
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[ALICE, CAROL, VERA])}
    organizations = {o.name: o for o in Organization.objects.filter(cluster=cluster, name__in=RATINGS)}
    report(f"Recording {len(ROUNDS)} rounds of partnership self-assessment by {len(organizations)} partners")
    rubric = Rubric(cluster=cluster, version=1, title=ph.DEFAULT_RUBRIC.title,
                    dimensions=rubric_to_data(ph.DEFAULT_RUBRIC), change_note="The default rubric.",
                    created_by=users.get(ALICE))
    rubric.full_clean()
    rubric.save()
    rounds = Round.objects.bulk_create(Round(cluster=cluster, held_on=held_on, title=title, notes=notes)
                                       for held_on, title, notes in ROUNDS)
    assessments, levels = [], []
    for index, round_ in enumerate(rounds):
        for name, organization in organizations.items():
            assessments.append(SelfAssessment(
                round=round_, organization=organization, rubric=rubric,
                recorded_by=users.get(RECORDED_BY.get(name, ALICE)),
                notes=f"Rated together by {name}'s members of the partnership's teams."))
            levels.append(RATINGS[name][index])
    SelfAssessment.objects.bulk_create(assessments)
    ratings = []
    for assessment, numbers in zip(assessments, levels, strict=True):
        for dimension, number in zip(ph.DEFAULT_RUBRIC.dimensions, numbers, strict=True):
            level = dimension.levels[number - 1]
            source = rng.choice(EVIDENCE[dimension.key])
            ratings.append(Rating(assessment=assessment, dimension=dimension.key, level=level.key,
                                  evidence=f"{level.label}: {source}."))
    Rating.objects.bulk_create(ratings)
