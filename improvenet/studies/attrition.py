"""Attrition of a randomized study judged as the What Works Clearinghouse (WWC) does, and the rating that follows.

Attrition is the share of the randomized sample missing from the analysis: overall (both arms together) and
differential (the absolute difference between the arms' rates). The WWC counts a study's attrition as *low* when
the differential rate is at most the boundary for its overall rate, and *high* otherwise, under one of two
assumptions chosen by the review protocol before the results are known: **cautious** when the intervention could
itself make people leave the sample (a dropout-prevention programme), **optimistic** when it is unlikely to (a
first-grade reading programme).

The boundary table: WWC Standards Handbook, Version 4.1 (2020), Table II.1, transcribed from the R package baselinr
0.6.0, which publishes it citing that handbook; the transcription was checked cell by cell against baselinr's source
(tests/fixtures/studies/wwc_attrition_boundaries.csv keeps the table with exactly what was and was not checked;
docs/studies.md says more). The WWC's own text was not read: neither the 4.1 table nor the current Procedures and
Standards Handbook, Version 5.0 (2022), so whether 5.0 keeps these boundaries is unverified.

The rating (Procedures and Standards Handbook, Version 5.0, group designs): a randomized study with low attrition
can meet WWC standards *without reservations*; a randomized study with high attrition, or a quasi-experimental one,
can at best meet them *with reservations*, and only when its analytic sample shows baseline equivalence (|g| ≤ 0.05
on the required baseline measure, or ≤ 0.25 with that measure adjusted for in the impact model). Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

ASSUMPTIONS = ("cautious", "optimistic")
# The highest differential attrition (percentage points) that still counts as low, at overall attrition 0, 1, ...
# 65 percent. The cautious boundary ends at 57 percent: above it attrition is high at any differential.
CAUTIOUS_BOUNDARY = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0, 5.9, 5.9, 5.8, 5.7, 5.5,
    5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3, 4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8,
    2.6, 2.5, 2.3, 2.1, 2.0, 1.8, 1.6, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0,
)
OPTIMISTIC_BOUNDARY = (
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, 10.9, 10.9, 10.9, 10.8, 10.8, 10.7, 10.6,
    10.5, 10.3, 10.2, 10.0, 9.9, 9.7, 9.5, 9.4, 9.2, 9.0, 8.8, 8.6, 8.4, 8.2, 8.0, 7.8, 7.6, 7.4, 7.2, 7.0,
    6.7, 6.5, 6.3, 6.0, 5.8, 5.6, 5.3, 5.1, 4.9, 4.6, 4.4, 4.2, 3.9, 3.7, 3.5, 3.2, 3.0, 2.8, 2.6, 2.3,
    2.1, 1.9, 1.6, 1.4, 1.1, 0.9, 0.7, 0.5, 0.3,
)
BOUNDARIES = {"cautious": CAUTIOUS_BOUNDARY, "optimistic": OPTIMISTIC_BOUNDARY}

# WWC ratings of a group-design study (Standards Handbook 5.0).
WITHOUT_RESERVATIONS = "meets WWC standards without reservations"
WITH_RESERVATIONS = "meets WWC standards with reservations"
DOES_NOT_MEET = "does not meet WWC standards"
# Baseline equivalence verdicts, as improvenet.studies.randomization.baseline_equivalence gives them.
EQUIVALENCE_VERDICTS = ("satisfies", "needs adjustment", "fails")


class AttritionError(ValueError):
    """Counts that describe no sample (more analysed than randomized, an empty arm); the message says which."""


def boundary(overall_percent: float, assumption: str = "cautious") -> float | None:
    """The highest differential attrition, in percentage points, that is still low at this overall attrition
    (rounded to the nearest whole percent, as the table is read); None when no differential is low."""
    if assumption not in BOUNDARIES:
        raise AttritionError(f"Unknown assumption “{assumption}”: choose cautious or optimistic.")
    row = round(overall_percent)
    table = BOUNDARIES[assumption]
    return table[row] if 0 <= row < len(table) else None


@dataclass(frozen=True)
class Arm:
    """One arm of a study: how many units were randomized and how many are in the analysis."""

    randomized: int
    analyzed: int

    def __post_init__(self):
        if self.randomized < 1:
            raise AttritionError("Each arm needs at least one randomized unit.")
        if not 0 <= self.analyzed <= self.randomized:
            raise AttritionError(f"{self.analyzed} analysed out of {self.randomized} randomized: an arm cannot "
                                 "analyse more units than it randomized.")

    @property
    def rate(self) -> float:
        """The share of the arm's randomized units missing from the analysis."""
        return 1 - self.analyzed / self.randomized


@dataclass(frozen=True)
class Attrition:
    """Both arms of one level of a study (students, or the schools that were assigned)."""

    treated: Arm
    control: Arm
    unit: str = "students"

    @property
    def overall(self) -> float:
        randomized = self.treated.randomized + self.control.randomized
        return 1 - (self.treated.analyzed + self.control.analyzed) / randomized

    @property
    def differential(self) -> float:
        return abs(self.treated.rate - self.control.rate)


@dataclass(frozen=True)
class Judgement:
    """Low or high attrition, with the numbers and the boundary that decided it, and the reason in words."""

    attrition: Attrition
    assumption: str
    boundary: float | None
    """The highest differential (percentage points) still low at this overall rate; None: none is."""
    level: str
    """"low" or "high"."""
    reason: str


def judge(attrition: Attrition, assumption: str = "cautious") -> Judgement:
    """The WWC judgement of one level's attrition under `assumption` (cautious or optimistic)."""
    overall, differential = 100 * attrition.overall, 100 * attrition.differential
    limit = boundary(overall, assumption)
    # A tolerance keeps a differential sitting exactly on the boundary (1.4 = 0.014 × 100) from passing it.
    low = limit is not None and differential <= limit + 1e-9
    unit = attrition.unit
    numbers = (f"{overall:.1f}% of the randomized {unit} are missing from the analysis overall "
               f"({attrition.treated.randomized - attrition.treated.analyzed} of {attrition.treated.randomized} "
               f"treated, {attrition.control.randomized - attrition.control.analyzed} of "
               f"{attrition.control.randomized} control), a difference of {differential:.1f} percentage points "
               "between the arms")
    if limit is None:
        reason = (f"{numbers}. Under the {assumption} boundary no difference keeps attrition low when "
                  f"{round(overall)}% are missing overall: attrition is high.")
    else:
        relation = "at most" if low else "more than"
        reason = (f"{numbers}. Under the {assumption} boundary the difference must be at most {limit:.1f} points "
                  f"when {round(overall)}% are missing overall; it is {relation} that: attrition is "
                  f"{'low' if low else 'high'}.")
    return Judgement(attrition, assumption, limit, "low" if low else "high", reason)


@dataclass(frozen=True)
class Rating:
    rating: str
    """WITHOUT_RESERVATIONS, WITH_RESERVATIONS or DOES_NOT_MEET."""
    reasons: tuple[str, ...]


def wwc_rating(randomized: bool, attrition: Judgement | None, equivalence: str | None,
               adjusted_in_model: bool = False) -> Rating:
    """The highest WWC rating the study can receive from its design, attrition and baseline equivalence.

    `randomized`: assignment was random (a quasi-experimental study otherwise). `attrition`: the judgement of the
    level that decides (None when unknown). `equivalence`: the worst baseline-equivalence verdict on the
    analytic sample ("satisfies", "needs adjustment", "fails"), None when not shown. `adjusted_in_model`: the
    baseline measure is a covariate of the impact model.
    """
    if equivalence is not None and equivalence not in EQUIVALENCE_VERDICTS:
        raise AttritionError(f"Unknown baseline-equivalence verdict “{equivalence}”.")
    reasons = []
    if randomized and attrition is not None and attrition.level == "low":
        reasons.append("Assignment was random and attrition is low: the study can meet the standards without "
                       "reservations. " + attrition.reason)
        return Rating(WITHOUT_RESERVATIONS, tuple(reasons))
    if randomized:
        reasons.append("Assignment was random, but " + (
            "attrition is high, so the analysed groups must be shown equivalent at baseline. " + attrition.reason
            if attrition is not None else "attrition is not known, so the analysed groups must be shown "
            "equivalent at baseline."))
    else:
        reasons.append("The groups were not formed at random (a quasi-experimental design): at best the study "
                       "meets the standards with reservations, and only if the analysed groups are equivalent "
                       "at baseline.")
    if equivalence is None:
        reasons.append("Baseline equivalence of the analysed groups has not been shown.")
        return Rating(DOES_NOT_MEET, tuple(reasons))
    if equivalence == "fails":
        reasons.append("The groups differ at baseline by more than 0.25 standard deviations: no adjustment can "
                       "make them equivalent.")
        return Rating(DOES_NOT_MEET, tuple(reasons))
    if equivalence == "needs adjustment" and not adjusted_in_model:
        reasons.append("The groups differ at baseline by between 0.05 and 0.25 standard deviations and the "
                       "impact model does not adjust for the baseline measure.")
        return Rating(DOES_NOT_MEET, tuple(reasons))
    reasons.append("The analysed groups are equivalent at baseline" + (
        " (within 0.05 standard deviations)." if equivalence == "satisfies"
        else ", within 0.25 standard deviations with the baseline measure in the impact model."))
    return Rating(WITH_RESERVATIONS, tuple(reasons))
