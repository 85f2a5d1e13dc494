"""Partnership health, without Django: a rubric of developmental levels and partners' repeated self-assessments.

In the spirit of developmental progressions for research-practice partnerships, each partner
organization (district, university, community group...) rates the partnership on each dimension of a
rubric, round after round, and says what evidence supports each rating. This module checks rubrics and
assessments, follows each dimension over the rounds (per organization and the median across them), and
points out where partners see the same round very differently. docs/governance.md states the rules in
words; levels are numbered from 1 (the lowest) in everything people read.

A dimension an organization leaves unrated in a round is simply absent from that round's trend and gaps.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

DEFAULT_GAP_THRESHOLD = 2  # levels


class RubricError(ValueError):
    """A rubric or an assessment breaks a rule; `problems` lists each one in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    descriptor: str


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    question: str
    levels: tuple[Level, ...]  # lowest first

    def number(self, level_key: str) -> int:
        """The level's place, counting from 1 for the lowest."""
        return next(index for index, level in enumerate(self.levels, start=1) if level.key == level_key)

    def label_of(self, number: int) -> str:
        return self.levels[number - 1].label


@dataclass(frozen=True)
class Rubric:
    title: str
    dimensions: tuple[Dimension, ...]

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)


@dataclass(frozen=True)
class Rating:
    dimension: str
    level: str
    evidence: str


@dataclass(frozen=True)
class Assessment:
    """One partner organization's self-assessment in one round."""

    round: int
    on: date
    organization: str
    ratings: tuple[Rating, ...]


def _levels(beginning: str, developing: str, established: str, sustaining: str) -> tuple[Level, ...]:
    return (
        Level("beginning", "Beginning", beginning),
        Level("developing", "Developing", developing),
        Level("established", "Established", established),
        Level("sustaining", "Sustaining", sustaining),
    )


DEFAULT_RUBRIC = Rubric("Partnership health", (
    Dimension("continuous_improvement", "Continuous improvement",
              "Do partners learn from data and small tests, and change what they do as a result?", _levels(
                  "Partners meet and share updates, but improvement work is occasional and data arrive too late "
                  "to change practice.",
                  "Some teams run PDSA cycles and look at data together; lessons rarely travel beyond the team "
                  "that learned them.",
                  "Teams test changes routinely, review measures on a set schedule and decide together what to "
                  "adopt, adapt or abandon.",
                  "Learning from tests shapes the partnership's plans and budgets; routines survive changes of "
                  "staff and leadership.")),
    Dimension("equity", "Equity",
              "Do the partnership's aims, decisions and results serve the students the system serves least well?",
              _levels(
                  "Equity is named as a value, but data are not broken down by student group and affected "
                  "families and students are not at the table.",
                  "Data are broken down by student group and gaps are discussed; families and students are "
                  "consulted on some decisions.",
                  "Aims target the largest gaps; families, students and staff closest to the work help choose "
                  "problems and judge changes.",
                  "Gaps are narrowing on the partnership's measures, and power over agendas and resources is "
                  "shared with the communities most affected.")),
    Dimension("coordination", "Coordination",
              "Do partners share goals, roles and routines that let them work as one effort?", _levels(
                  "Partners work side by side on separate projects; roles and decision rights are unclear.",
                  "Partners agree on shared goals and meet regularly; roles are written down but followed "
                  "unevenly.",
                  "Shared goals, roles, meeting routines and data agreements guide the work; conflicts are "
                  "raised and settled openly.",
                  "Joint governance, funding and data systems hold the partnership together through changes "
                  "of people and priorities.")),
    Dimension("capacity_building", "Capacity building",
              "Are people on every side gaining the skills and time to do improvement and research work?",
              _levels(
                  "Improvement and research skills sit with a few people, often the outside partner.",
                  "Staff attend trainings and take part in some improvement or research tasks with support.",
                  "Staff lead cycles and use data on their own; researchers learn the district's context and "
                  "constraints.",
                  "The district and its partners grow their own coaches and leaders, and the work continues "
                  "when outside support ends.")),
))


# Checking ---------------------------------------------------------------------------------------


def validate_rubric(rubric: Rubric) -> None:
    """Refuse a rubric without dimensions, with repeated keys, fewer than 2 levels, or empty descriptors."""
    problems: list[str] = []
    if not rubric.dimensions:
        problems.append("The rubric has no dimensions.")
    for key, count in Counter(d.key for d in rubric.dimensions).items():
        if count > 1:
            problems.append(f"Dimension key '{key}' is used {count} times; each dimension needs its own key.")
    for dimension in rubric.dimensions:
        name = dimension.label.strip() or f"Dimension '{dimension.key}'"
        if not dimension.key.strip():
            problems.append(f"{name} has no key.")
        if not dimension.label.strip():
            problems.append(f"{name} has no label.")
        if len(dimension.levels) < 2:
            problems.append(f"{name} has {_plural(len(dimension.levels), 'level')}; a dimension needs at least 2.")
        for key, count in Counter(level.key for level in dimension.levels).items():
            if count > 1:
                problems.append(f"{name} uses the level key '{key}' {count} times.")
        for number, level in enumerate(dimension.levels, start=1):
            for part in ("key", "label", "descriptor"):
                if not getattr(level, part).strip():
                    problems.append(f"Level {number} of {name} has no {part}.")
    if problems:
        raise RubricError(problems)


def validate_assessment(assessment: Assessment, rubric: Rubric) -> None:
    """Refuse ratings of unknown dimensions or levels, repeated ratings, and ratings without evidence."""
    problems = _assessment_problems(assessment, rubric)
    if problems:
        raise RubricError(problems)


def validate_assessments(assessments: Iterable[Assessment], rubric: Rubric) -> None:
    """Check the rubric, every assessment, and that each organization assesses each round once."""
    validate_rubric(rubric)
    problems: list[str] = []
    seen: Counter[tuple[int, str]] = Counter()
    for assessment in assessments:
        problems += _assessment_problems(assessment, rubric)
        seen[assessment.round, assessment.organization] += 1
        if seen[assessment.round, assessment.organization] == 2:
            problems.append(f"{assessment.organization} has more than one assessment in round {assessment.round}; "
                            "each organization assesses each round once.")
    if problems:
        raise RubricError(problems)


def _assessment_problems(assessment: Assessment, rubric: Rubric) -> list[str]:
    whose = f"{assessment.organization}'s round {assessment.round} assessment"
    problems: list[str] = []
    if not assessment.organization.strip():
        whose = f"The round {assessment.round} assessment"
        problems.append(f"{whose} names no organization.")
    if assessment.round < 1:
        problems.append(f"{whose} has round {assessment.round}; rounds are numbered from 1.")
    if not assessment.ratings:
        problems.append(f"{whose} rates no dimension.")
    dimensions = {d.key: d for d in rubric.dimensions}
    for key, count in Counter(r.dimension for r in assessment.ratings).items():
        if count > 1 and key in dimensions:
            problems.append(f"{whose} rates {dimensions[key].label} {count} times; rate each dimension once.")
    for rating in assessment.ratings:
        dimension = dimensions.get(rating.dimension)
        if dimension is None:
            problems.append(f"{whose} rates '{rating.dimension}', which is not a dimension of {rubric.title}.")
            continue
        if rating.level not in {level.key for level in dimension.levels}:
            choices = ", ".join(level.key for level in dimension.levels)
            problems.append(f"{whose} rates {dimension.label} '{rating.level}', which is not one of its levels "
                            f"({choices}).")
        if not rating.evidence.strip():
            problems.append(f"{whose} rates {dimension.label} without evidence: say what shows the partnership "
                            "is at this level.")
    return problems


# Trends -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    round: int
    on: date
    level: int
    label: str


@dataclass(frozen=True)
class OrganizationTrend:
    organization: str
    points: tuple[TrendPoint, ...]  # by round
    summary: str


@dataclass(frozen=True)
class MedianPoint:
    round: int
    median: float  # a level number; halfway between two levels when an even number of partners split
    organizations: int
    label: str


@dataclass(frozen=True)
class DimensionTrend:
    dimension: str
    by_organization: tuple[OrganizationTrend, ...]  # by organization name
    median: tuple[MedianPoint, ...]  # by round
    summary: str


def trends(rubric: Rubric, assessments: Sequence[Assessment]) -> tuple[DimensionTrend, ...]:
    """Each dimension over the rounds: every organization's rating and the median across organizations."""
    validate_assessments(assessments, rubric)
    result = []
    for dimension in rubric.dimensions:
        points: dict[str, list[TrendPoint]] = defaultdict(list)
        for assessment, rating in _ratings_of(assessments, dimension.key):
            number = dimension.number(rating.level)
            points[assessment.organization].append(
                TrendPoint(assessment.round, assessment.on, number, dimension.label_of(number)))
        organizations = tuple(
            OrganizationTrend(name, tuple(found), _organization_summary(name, found, dimension))
            for name, found in sorted(points.items())
        )
        by_round: dict[int, list[int]] = defaultdict(list)
        for trend in organizations:
            for point in trend.points:
                by_round[point.round].append(point.level)
        medians = tuple(_median_point(number, levels, dimension) for number, levels in sorted(by_round.items()))
        result.append(DimensionTrend(dimension.key, organizations, medians, _median_summary(medians, dimension)))
    return tuple(result)


def _ratings_of(assessments: Sequence[Assessment], dimension_key: str) -> list[tuple[Assessment, Rating]]:
    found = [(a, r) for a in assessments for r in a.ratings if r.dimension == dimension_key]
    return sorted(found, key=lambda pair: (pair[0].round, pair[0].organization))


def _median_point(round_: int, levels: list[int], dimension: Dimension) -> MedianPoint:
    median = statistics.median(levels)
    if median == int(median):
        label = dimension.label_of(int(median))
    else:
        low, high = dimension.label_of(int(median)), dimension.label_of(int(median) + 1)
        label = f"Between {low.lower()} and {high.lower()}"
    return MedianPoint(round_, median, len(levels), label)


def _organization_summary(organization: str, points: list[TrendPoint], dimension: Dimension) -> str:
    first, last = points[0], points[-1]
    of = len(dimension.levels)
    if len(points) == 1:
        return (f"{organization} rated {dimension.label} {first.label.lower()} (level {first.level} of {of}) "
                f"in round {first.round}.")
    return (f"{organization} rated {dimension.label} {first.label.lower()} in round {first.round} and "
            f"{last.label.lower()} in round {last.round} ({_change(last.level - first.level)}).")


def _median_summary(medians: tuple[MedianPoint, ...], dimension: Dimension) -> str:
    if not medians:
        return f"No partner has rated {dimension.label} yet."
    first, last = medians[0], medians[-1]
    if len(medians) == 1:
        return f"Across partners, the median rating of {dimension.label} in round {first.round} is {_lower(first)}."
    return (f"Across partners, the median rating of {dimension.label} went from {_lower(first)} in round "
            f"{first.round} to {_lower(last)} in round {last.round} ({_change(last.median - first.median)}).")


def _lower(point: MedianPoint) -> str:
    return point.label[0].lower() + point.label[1:]


def _change(levels: float) -> str:
    if levels == 0:
        return "no change"
    amount = f"{abs(levels):g} level" + ("" if abs(levels) == 1 else "s")
    return f"up {amount}" if levels > 0 else f"down {amount}"


# Gaps between partners --------------------------------------------------------------------------


@dataclass(frozen=True)
class GapRating:
    organization: str
    level: int
    label: str
    evidence: str


@dataclass(frozen=True)
class Gap:
    round: int
    dimension: str
    spread: int  # levels between the highest and the lowest rating
    ratings: tuple[GapRating, ...]  # highest first, then by organization
    summary: str


def rating_gaps(rubric: Rubric, assessments: Sequence[Assessment],
                threshold: int = DEFAULT_GAP_THRESHOLD) -> tuple[Gap, ...]:
    """Every round and dimension where partners' ratings differ by at least `threshold` levels."""
    if threshold < 1:
        raise RubricError([f"The gap threshold is a number of levels, at least 1; it is {threshold}."])
    validate_assessments(assessments, rubric)
    gaps = []
    rounds = sorted({a.round for a in assessments})
    for number in rounds:
        for dimension in rubric.dimensions:
            ratings = [
                GapRating(a.organization, dimension.number(r.level), dimension.label_of(dimension.number(r.level)),
                          r.evidence)
                for a, r in _ratings_of(assessments, dimension.key) if a.round == number
            ]
            if len(ratings) < 2:
                continue
            spread = max(r.level for r in ratings) - min(r.level for r in ratings)
            if spread >= threshold:
                ratings.sort(key=lambda r: (-r.level, r.organization))
                who = "; ".join(f"{r.organization} rated it {r.label.lower()} (level {r.level} of "
                                f"{len(dimension.levels)})" for r in ratings)
                differ = f"In round {number}, partners' ratings of {dimension.label} differ by {spread} levels"
                summary = f"{differ}: {who}."
                gaps.append(Gap(number, dimension.key, spread, tuple(ratings), summary))
    return tuple(gaps)


@dataclass(frozen=True)
class HealthReport:
    trends: tuple[DimensionTrend, ...]
    gaps: tuple[Gap, ...]
    summary: tuple[str, ...]


def health_report(rubric: Rubric, assessments: Sequence[Assessment],
                  threshold: int = DEFAULT_GAP_THRESHOLD) -> HealthReport:
    """Trends and gaps together, with the sentences a page shows above them."""
    found_trends = trends(rubric, assessments)
    gaps = rating_gaps(rubric, assessments, threshold)
    organizations = {a.organization for a in assessments}
    rounds = {a.round for a in assessments}
    summary = [f"{_plural(len(organizations), 'partner organization')} assessed the partnership in "
               f"{_plural(len(rounds), 'round')}."]
    summary += [trend.summary for trend in found_trends]
    if gaps:
        summary.append(f"{_plural(len(gaps), 'rating gap')} of {threshold} or more levels between partners; "
                       "talk them through before the next round.")
    elif assessments:
        summary.append(f"No partners' ratings differ by {threshold} or more levels in any round.")
    return HealthReport(found_trends, gaps, tuple(summary))


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
