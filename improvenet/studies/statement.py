"""The evidence statement of a finished study: a worksheet in plain words of what the study found, what the What
Works Clearinghouse (WWC) standards would say of it and why, and which of ESSA's evidence-tier criteria it meets,
each with its number and threshold.

A worksheet, not a determination: ESSA section 8101(21)(A) defines the tiers, and whether an intervention *is*
evidence-based at a tier is for the state or district to decide over all the evidence. The statement therefore
says a study "meets the criteria of" a tier, never that the intervention "is" at that tier. The criteria follow
the US Department of Education's non-regulatory guidance "Using Evidence to Strengthen Education Investments"
(September 2016, revised September 2023): docs/studies.md cites them. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

from improvenet.studies.attrition import WITH_RESERVATIONS, WITHOUT_RESERVATIONS, Attrition, Rating, judge, wwc_rating
from improvenet.studies.impact import Impact

DESIGNS = {
    "experimental": "a randomized controlled trial",
    "quasi_experimental": "a quasi-experimental comparison (groups not formed at random)",
    "correlational": "a correlational study",
}
# ESSA's "large sample" and "multi-site sample" (non-regulatory guidance, 2016 and 2023): at least 350 students
# (or other individuals), in more than one site.
LARGE_SAMPLE = 350
SITES = 2
ALPHA = 0.05
CAVEAT = ("This worksheet applies published criteria to this one study. It is not an evidence determination: under "
          "ESSA the state or district decides whether an intervention is evidence-based, over all the relevant "
          "evidence.")


class StatementError(ValueError):
    """Facts that cannot make a statement (an unknown design); the message names the field."""


@dataclass(frozen=True)
class Findings:
    """What the statement is made from. Counts are of the analysed sample unless named otherwise.

    `design`: experimental, quasi_experimental or correlational. `assigned`: the unit of assignment in plain
    words, plural ("schools"). `blocked_by`: the blocks, plural ("pyramids"), or None. `outcome` and
    `outcome_unit`: the outcome's name and unit ("spring reading score", "scale points"). `favourable`: "higher"
    or "lower", the direction that is good. `students` and `clusters`: attrition of the students and, when
    assignment was by cluster, of the clusters. `assumption`: the WWC attrition boundary, cautious or optimistic.
    `equivalence`: the worst baseline-equivalence verdict of the analysed groups ("satisfies", "needs
    adjustment", "fails"), None when not shown; `adjusted_in_model`: the baseline measure is a covariate.
    `schools` and `districts`: the sites of the analysed sample. `controls_for_selection`: the model controls
    for selection (a correlational study's requirement). `negative_evidence`: whether other studies that meet
    WWC standards find a significant unfavourable effect on the outcome (None: not checked here).
    """

    design: str
    assigned: str
    outcome: str
    outcome_unit: str
    impact: Impact
    students: Attrition | None = None
    clusters: Attrition | None = None
    blocked_by: str | None = None
    favourable: str = "higher"
    assumption: str = "cautious"
    equivalence: str | None = None
    adjusted_in_model: bool = False
    schools: int = 0
    districts: int = 1
    controls_for_selection: bool = False
    negative_evidence: bool | None = None
    alpha: float = ALPHA


@dataclass(frozen=True)
class Criterion:
    label: str
    met: bool | None
    """None: not something this study alone can show."""
    value: str
    threshold: str

    def line(self) -> str:
        mark = {True: "met", False: "not met", None: "to check"}[self.met]
        return f"{self.label}: {self.value} (needed: {self.threshold}) — {mark}."


@dataclass(frozen=True)
class Tier:
    number: int
    name: str
    criteria: tuple[Criterion, ...]

    @property
    def met(self) -> bool | None:
        """True when every criterion is met, False when one is not, None when only unchecked ones remain."""
        if any(c.met is False for c in self.criteria):
            return False
        return True if all(c.met for c in self.criteria) else None

    def verdict(self) -> str:
        name = f"ESSA Tier {self.number} ({self.name})"
        if self.met is True:
            return f"This study meets the criteria of {name}."
        if self.met is None:
            open_ = "; ".join(c.label.lower() for c in self.criteria if c.met is None)
            return f"This study meets the criteria of {name} that it can show alone; still to check: {open_}."
        missing = "; ".join(c.label.lower() for c in self.criteria if c.met is False)
        return f"This study does not meet the criteria of {name}: {missing}."


@dataclass(frozen=True)
class Statement:
    design: str
    numbers: tuple[str, ...]
    wwc: Rating
    tiers: tuple[Tier, ...]
    caveat: str = CAVEAT

    @property
    def highest_tier(self) -> Tier | None:
        """The strongest tier whose criteria are met or open to checking, None when none is."""
        return next((tier for tier in self.tiers if tier.met is not False), None)

    def lines(self) -> list[str]:
        lines = [self.design, *self.numbers, f"What Works Clearinghouse: the study {self.wwc.rating}.",
                 *self.wwc.reasons]
        for tier in self.tiers:
            lines.append(tier.verdict())
            lines += [f"  {criterion.line()}" for criterion in tier.criteria]
        return [*lines, self.caveat]

    def text(self) -> str:
        return "\n".join(self.lines())


def evidence_statement(findings: Findings) -> Statement:
    """The worksheet for one study's primary outcome."""
    if findings.design not in DESIGNS:
        raise StatementError(f"Unknown design “{findings.design}”: choose {', '.join(DESIGNS)}.")
    if findings.favourable not in ("higher", "lower"):
        raise StatementError("favourable must be “higher” or “lower”: the direction of a good outcome.")
    impact = findings.impact
    rating = _rating(findings)
    favourable = impact.estimate > 0 if findings.favourable == "higher" else impact.estimate < 0
    significant = impact.p_value < findings.alpha
    effect = Criterion(
        "A statistically significant favourable effect on the outcome",
        significant and favourable,
        f"{impact.estimate:+.3g} {findings.outcome_unit} (p = {impact.p_value:.3f})",
        f"p < {findings.alpha:g} with {findings.favourable} {findings.outcome} being better",
    )
    overriding = Criterion(
        "No overriding unfavourable evidence",
        None if findings.negative_evidence is None else not findings.negative_evidence,
        "not checked by this worksheet" if findings.negative_evidence is None
        else "other studies meeting WWC standards " + ("do" if findings.negative_evidence else "do not")
        + " find a significant unfavourable effect",
        "no significant unfavourable effect on this outcome in other studies that meet WWC standards",
    )
    large = Criterion("A large sample", impact.n_analyzed >= LARGE_SAMPLE, f"{impact.n_analyzed:,} students",
                      f"at least {LARGE_SAMPLE} students")
    sites = Criterion("A multi-site sample", findings.schools >= SITES,
                      f"{findings.schools} schools in {findings.districts} "
                      f"district{'s' if findings.districts != 1 else ''}",
                      "more than one site (the guidance counts schools, districts or states as sites; the state "
                      "or district decides which)")
    experimental = findings.design == "experimental"
    tier_one = Tier(1, "strong evidence", (
        Criterion("An experimental study", experimental, DESIGNS[findings.design], "a randomized controlled trial"),
        Criterion("Well designed and implemented", rating.rating == WITHOUT_RESERVATIONS,
                  f"the study {rating.rating}", WITHOUT_RESERVATIONS),
        effect, overriding, large, sites))
    tier_two = Tier(2, "moderate evidence", (
        Criterion("A quasi-experimental study or stronger", findings.design != "correlational",
                  DESIGNS[findings.design], "a quasi-experimental study or a randomized controlled trial"),
        Criterion("Well designed and implemented", rating.rating in (WITHOUT_RESERVATIONS, WITH_RESERVATIONS),
                  f"the study {rating.rating}", WITH_RESERVATIONS + " or better"),
        effect, overriding, large, sites))
    controlled = findings.design != "correlational" or findings.controls_for_selection
    tier_three = Tier(3, "promising evidence", (
        Criterion("Statistical controls for selection bias", controlled,
                  "random assignment" if experimental else
                  ("the model controls for selection" if controlled else "no control for selection"),
                  "a correlational study with statistical controls for selection bias, or stronger"),
        effect, overriding))
    return Statement(_design_line(findings), _numbers(findings), rating, (tier_one, tier_two, tier_three))


def _rating(findings: Findings) -> Rating:
    if findings.design == "correlational":
        return Rating("is not reviewed under the WWC group-design standards",
                      ("The WWC reviews randomized and quasi-experimental comparisons; a correlational study is "
                       "outside its group-design standards.",))
    # In a cluster-randomized study the clusters' attrition is judged first; the students' within the clusters
    # kept decides only when the clusters' is low.
    levels = [level for level in (findings.clusters, findings.students) if level is not None]
    judgements = [judge(level, findings.assumption) for level in levels]
    deciding = next((j for j in judgements if j.level == "high"), judgements[-1] if judgements else None)
    return wwc_rating(findings.design == "experimental", deciding, findings.equivalence, findings.adjusted_in_model)


def _design_line(findings: Findings) -> str:
    blocks = f", within {findings.blocked_by}" if findings.blocked_by else ""
    how = "assigned at random" if findings.design == "experimental" else "compared"
    return (f"Design: {DESIGNS[findings.design]}; {findings.assigned} {how}{blocks}. Outcome: {findings.outcome}, "
            f"in {findings.outcome_unit} ({findings.favourable} is better).")


def _numbers(findings: Findings) -> tuple[str, ...]:
    impact = findings.impact
    df = f", {impact.df:.1f} degrees of freedom" if impact.df is not None else ""
    method = ("least squares with CR2 cluster-robust standard errors" if impact.method == "cr2"
              else "a random-intercept model fitted by REML")
    lines = [
        f"Sample analysed: {impact.n_analyzed:,} students in {impact.clusters} {findings.assigned}.",
        f"Impact: {impact.estimate:+.3g} {findings.outcome_unit} (standard error {impact.se:.3g}{df}; 95% "
        f"confidence interval {impact.ci_low:+.3g} to {impact.ci_high:+.3g}; p = {impact.p_value:.3f}), by "
        f"{method}.",
        f"Effect size: Hedges' g = {impact.hedges_g:+.2f} standard deviations; improvement index "
        f"{impact.improvement_index:+.1f} percentile points.",
    ]
    for level in (findings.clusters, findings.students):
        if level is not None:
            lines.append(f"Attrition of {level.unit}: {100 * level.overall:.1f}% overall, "
                         f"{100 * level.differential:.1f} percentage points between the arms.")
    return tuple(lines)
