"""The evidence ledger: every effect estimate about a change idea or an innovation, from every registered
source (improvenet.synthesis.sources), pooled with improvenet.synthesis.meta, and the snapshots a convening
packet compares with. docs/synthesis.md.

Which estimates a ledger shows does not depend on who reads it but on the cluster whose page it is: the
cluster's own estimates, those of the network's clusters that share their work with the network, and the
estimates another cluster's team chose to share with the network (its school named only by its level).
A change idea's ledger also gathers the estimates about the same idea in the clusters it was published to
or adopted from (its lineage through the network library).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django_scopes import scope, scopes_disabled

from improvenet.convenings.models import Convening
from improvenet.design.models import ChangeIdea, Innovation
from improvenet.learning.evidence import PooledFacts
from improvenet.network.models import Cluster, current_on
from improvenet.pilots.models import Product
from improvenet.sharing.models import Adoption
from improvenet.synthesis import meta
from improvenet.synthesis.entry import EVENTS, MEANS
from improvenet.synthesis.forest import Z95, forest_spec
from improvenet.synthesis.forms import ExternalStudyForm
from improvenet.synthesis.models import ExternalStudy, PooledSnapshot, SchoolEstimate
from improvenet.synthesis.sources import SUBJECT_KINDS, SiteEstimate, estimate_sources, register_estimate_source

RANDOM_METHODS = ("REML", "DL", "PM")
Subject = ChangeIdea | Innovation | Product
UNITS = {"smd": "standard deviations", "log_rr": "log risk ratio"}
MODERATORS = ("school level", "poverty", "cluster", "dosage")
MODERATOR_LABELS = {"school level": "School level", "poverty": "Share of students in poverty (0 to 1)",
                    "cluster": "Cluster", "dosage": "Dosage"}
# A packet names an idea when its pooled effect or its between-site standard deviation τ moved by at least
# this much (in the effect's units), when sites were added or removed, or when the interval's verdict on
# zero changed.
CHANGE_THRESHOLD = 0.05


# Sources --------------------------------------------------------------------------------------------


def _subject_filter(subject_kind: str, subject_id: int) -> dict | None:
    return {f"{subject_kind}_id": subject_id} if subject_kind in SUBJECT_KINDS else None


def external_study_estimates(subject_kind: str, subject_id: int, readable: frozenset[int]) -> list[SiteEstimate]:
    """The external studies entered by the clusters the reader may read."""
    subject = _subject_filter(subject_kind, subject_id)
    if subject is None:
        return []
    with scopes_disabled():  # the clusters are limited to `readable` here
        studies = ExternalStudy.objects.filter(current_on(), cluster_id__in=readable, **subject)
        return [SiteEstimate(
            source="external study", site=study.citation, cluster_id=None, yi=study.effect, vi=study.variance,
            outcome=study.outcome, label=f"{study.citation} ({study.get_wwc_rating_display()})", scale=study.scale,
            url=study.url or None, moderators=_moderators(study.school_level, study, "external study"),
        ) for study in studies.order_by("citation", "pk")]


def school_estimates(subject_kind: str, subject_id: int, readable: frozenset[int]) -> list[SiteEstimate]:
    """The included difference-in-differences estimates: named in the clusters the reader may read, by their
    level and cluster where a team shared them with the network, and not at all otherwise."""
    subject = _subject_filter(subject_kind, subject_id)
    if subject is None:
        return []
    with scopes_disabled():  # the clusters are limited to `readable` or to estimates shared with the network
        records = list(SchoolEstimate.objects.filter(current_on(), included=True, **subject)
                       .select_related("school", "cluster").order_by("cluster__name", "school__name", "pk"))
    found, unnamed = [], Counter()
    for record in records:
        level = record.school.get_level_display().lower()
        if record.cluster_id in readable:
            site = label = f"{record.school.name} ({record.cluster.name})"
        elif record.shared_with_network:
            unnamed[(record.cluster.name, level)] += 1
            site = label = f"{record.cluster.name}: {level} {unnamed[(record.cluster.name, level)]}"
        else:
            continue
        found.append(SiteEstimate(
            source="school difference-in-differences", site=site, cluster_id=record.cluster_id, yi=record.effect,
            vi=record.variance, outcome=record.outcome, label=label, scale=record.scale,
            moderators=_moderators(record.school.level, record, record.cluster.name),
        ))
    return found


def _moderators(level: str, record, cluster: str) -> dict[str, float | str]:
    values = {"school level": level, "poverty": record.poverty_share, "cluster": cluster, "dosage": record.dosage}
    return {name: value for name, value in values.items() if value not in (None, "")}


def register_sources() -> None:
    register_estimate_source("school difference-in-differences", school_estimates)
    register_estimate_source("external studies", external_study_estimates)


# Which clusters and ideas a ledger reads --------------------------------------------------------------


def readable_clusters(cluster: Cluster) -> frozenset[int]:
    """The cluster and the network's clusters that share their work with the network."""
    with scopes_disabled():
        sharing = Cluster.objects.filter(network_id=cluster.network_id, shares_with_network=True)
        return frozenset({cluster.pk, *sharing.values_list("pk", flat=True)})


def idea_lineage(idea: ChangeIdea) -> list[int]:
    """The idea and the same idea elsewhere in the network: the idea it was adopted from, and every adoption
    of that idea's publications (the idea itself first)."""
    with scope(network=idea.cluster.network_id):
        adopted_from = Adoption.in_network.filter(change_idea=idea).select_related("publication").first()
        root = adopted_from.publication.change_idea_id if adopted_from and adopted_from.publication else idea.pk
        copies = Adoption.in_network.filter(publication__change_idea_id=root).values_list("change_idea_id", flat=True)
        return list(dict.fromkeys([idea.pk, root, *copies]))


def gather(subject_kind: str, subject: Subject, cluster: Cluster) -> list[SiteEstimate]:
    """Every estimate about the subject that the cluster's page may show, from every registered source."""
    ids = idea_lineage(subject) if subject_kind == "change_idea" else [subject.pk]
    readable = readable_clusters(cluster)
    estimates: list[SiteEstimate] = []
    for source in estimate_sources().values():
        for subject_id in ids:
            estimates.extend(source(subject_kind, subject_id, readable))
    return estimates


# Pooling ----------------------------------------------------------------------------------------------


@dataclass
class ModeratorFit:
    name: str
    label: str
    k: int
    unit: str
    regression: meta.Regression | None = None
    problem: str = ""

    @property
    def sentence(self) -> str:
        if self.regression is None:
            return self.problem
        r = self.regression
        test = f"F = {r.qm:.2f}" if r.test == "knha" else f"χ² = {r.qm:.2f}"
        verdict = ("the effect differs with it beyond what chance would give" if r.qm_p < 0.05
                   else "no clear difference in the effect with it")
        return (f"{self.k} estimates: {verdict} ({test}, {_p(r.qm_p)}); between-site variance left "
                f"τ² = {r.tau2:.4f}.")

    @property
    def coefficient_lines(self) -> list[str]:
        """Each moderator term's difference against the reference, the intercept left out."""
        if self.regression is None:
            return []
        return [f"{c.term}: {c.estimate:.3f} {self.unit} (standard error {c.se:.3f}, {_p(c.p_value)})"
                for c in self.regression.coefficients[1:]]


@dataclass
class Pooling:
    """The estimates on one scale, pooled."""

    scale: str
    estimates: list[SiteEstimate]
    method: str
    fixed: meta.Pooled | None = None
    random: meta.Pooled | None = None
    problem: str = ""
    moderators: list[ModeratorFit] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return UNITS.get(self.scale, self.scale)

    @property
    def p_values(self) -> dict[str, str]:
        """The two models' p-values as the table shows them ("< 0.0001" rather than a row of zeros)."""
        return {name: _p(model.p_value).removeprefix("p ").removeprefix("= ")
                for name, model in (("fixed", self.fixed), ("random", self.random)) if model is not None}

    @property
    def k(self) -> int:
        return len(self.estimates)

    @property
    def rows(self) -> list[dict]:
        return [{"estimate": e, "se": math.sqrt(e.vi), "ci_low": e.yi - Z95 * math.sqrt(e.vi),
                 "ci_high": e.yi + Z95 * math.sqrt(e.vi)} for e in self.estimates]

    @property
    def method_words(self) -> str:
        if self.random is None:
            return ""
        why = (f"Hartung–Knapp, because there are fewer than {meta.KNAPP_HARTUNG_BELOW} estimates"
               if self.random.test == "knha" else f"Wald (z), with {meta.KNAPP_HARTUNG_BELOW} estimates or more")
        return f"{meta.METHOD_NAMES[self.method]}; the interval by {why}."

    @property
    def average_words(self) -> str:
        r = self.random
        if r is None:
            return ""
        zero = ("excludes zero" if r.ci_low > 0 or r.ci_high < 0 else "includes zero")
        return (f"On average the effect is {r.estimate:.2f} {self.unit} (95% confidence interval {r.ci_low:.2f} "
                f"to {r.ci_high:.2f}, which {zero}; {_p(r.p_value)}).")

    @property
    def new_site_words(self) -> str:
        r = self.random
        if r is None:
            return ""
        return (f"In a new school like these, the effect is likely between {r.pi_low:.2f} and {r.pi_high:.2f} "
                f"{self.unit} (95% prediction interval).")

    @property
    def heterogeneity_words(self) -> str:
        r = self.random
        if r is None:
            return ""
        return (f"The true effect varies between sites with a standard deviation τ = {r.tau:.2f} {self.unit}; "
                f"I² = {r.i2:.0f}% of the variation between estimates is between sites rather than chance "
                f"(Q = {r.q:.2f} on {r.q_df} degrees of freedom, {_p(r.q_p)}).")

    def spec(self, title: str) -> dict:
        rows = [(e.label, e.yi, e.vi) for e in self.estimates]
        return forest_spec(rows, self.fixed, self.random, self.unit, title)


def _p(value: float) -> str:
    return "p < 0.0001" if value < 0.0001 else f"p = {value:.4f}"


def pool_estimates(estimates: list[SiteEstimate], method: str = "REML", with_moderators: bool = True) -> list[Pooling]:
    """One pooling per scale, the estimates of each in their order."""
    by_scale: dict[str, list[SiteEstimate]] = {}
    for estimate in estimates:
        by_scale.setdefault(estimate.scale, []).append(estimate)
    poolings = []
    for scale, group in by_scale.items():
        pooling = Pooling(scale, group, method)
        yi, vi = [e.yi for e in group], [e.vi for e in group]
        try:
            pooling.fixed = meta.pool(yi, vi, "FE")
            pooling.random = meta.pool(yi, vi, method)
        except meta.MetaAnalysisError as error:
            pooling.problem = str(error)
        if with_moderators and pooling.random is not None:
            pooling.moderators = [_moderator_fit(group, name, method, pooling.unit) for name in MODERATORS]
        poolings.append(pooling)
    return poolings


def _moderator_fit(estimates: list[SiteEstimate], name: str, method: str, unit: str) -> ModeratorFit:
    """A meta-regression on one site characteristic, over the estimates that have it: a number enters as it
    is; categories enter as one column per category but the most common (the reference)."""
    having = [e for e in estimates if name in e.moderators]
    fit = ModeratorFit(name, MODERATOR_LABELS[name], len(having), unit)
    values = [e.moderators[name] for e in having]
    if len(set(values)) < 2:
        fit.problem = (f"{len(having)} estimate{'s' if len(having) != 1 else ''} give this, "
                       f"with {'no values' if not values else 'one value'}: nothing to compare.")
        return fit
    if all(isinstance(value, int | float) for value in values):
        columns = {name: [float(value) for value in values]}
    else:
        counts = Counter(str(value) for value in values)
        reference = counts.most_common(1)[0][0]
        columns = {f"{name}: {category} (against {reference})": [float(str(value) == category) for value in values]
                   for category in sorted(counts) if category != reference}
    try:
        fit.regression = meta.regress([e.yi for e in having], [e.vi for e in having], columns, method)
    except meta.MetaAnalysisError as error:
        fit.problem = str(error)
    return fit


@dataclass
class Ledger:
    subject_kind: str
    subject: Subject
    poolings: list[Pooling]

    @property
    def estimates(self) -> list[SiteEstimate]:
        return [e for pooling in self.poolings for e in pooling.estimates]

    def to_dict(self) -> dict:
        return {
            "subject_kind": self.subject_kind, "subject_id": self.subject.pk, "subject": str(self.subject),
            "poolings": [{
                "scale": p.scale, "unit": p.unit, "method": p.method, "k": p.k, "problem": p.problem,
                "fixed": p.fixed.summary() if p.fixed else None,
                "random": {**p.random.summary(), "test": p.random.test, "tau": p.random.tau} if p.random else None,
                "in_words": [w for w in (p.average_words, p.heterogeneity_words, p.new_site_words) if w],
                "estimates": [{"source": e.source, "site": e.site, "label": e.label, "outcome": e.outcome,
                               "yi": e.yi, "vi": e.vi, "url": e.url, "moderators": dict(e.moderators)}
                              for e in p.estimates],
                "moderators": [{"name": m.name, "k": m.k, "sentence": m.sentence, "coefficients": [
                    {"term": c.term, "estimate": c.estimate, "se": c.se, "p_value": c.p_value}
                    for c in (m.regression.coefficients if m.regression else ())]} for m in p.moderators],
            } for p in self.poolings],
        }


def ledger(subject_kind: str, subject: Subject, cluster: Cluster, method: str = "REML",
           with_moderators: bool = True) -> Ledger:
    """The subject's estimates pooled by `method` (REML, DL or PM), with the fixed-effect model beside."""
    if method not in RANDOM_METHODS:
        raise ValueError(f"Unknown method “{method}”: choose one of {', '.join(RANDOM_METHODS)}.")
    return Ledger(subject_kind, subject,
                  pool_estimates(gather(subject_kind, subject, cluster), method, with_moderators))


# The evidence rules and the convening packets ---------------------------------------------------------


def pooled_facts(cluster: Cluster, idea: ChangeIdea) -> PooledFacts | None:
    """The idea's pooled standardized effect with its Hartung–Knapp interval, for the evidence rules."""
    estimates = [e for e in gather("change_idea", idea, cluster) if e.scale == "smd"]
    if len(estimates) < 2:
        return PooledFacts(sites=len(estimates)) if estimates else None
    pooled = meta.pool([e.yi for e in estimates], [e.vi for e in estimates], "REML", test="knha")
    return PooledFacts(sites=len(estimates), estimate=pooled.estimate, ci_low=pooled.ci_low, ci_high=pooled.ci_high)


@dataclass(frozen=True)
class PooledState:
    sites: int
    estimate: float
    ci_low: float
    ci_high: float
    tau2: float
    # (label, effect, sampling variance) of each estimate pooled; empty for a snapshot kept before they were.
    rows: tuple[tuple[str, float, float], ...] = field(default=(), compare=False)

    @property
    def excludes_zero(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0


@dataclass
class PooledChange:
    idea: ChangeIdea
    scale: str
    before: PooledState | None
    now: PooledState

    @property
    def sentence(self) -> str:
        unit = UNITS.get(self.scale, self.scale)
        now = self.now
        if self.before is None:
            return (f"First pooled: {now.estimate:.2f} {unit} from {now.sites} sites "
                    f"(τ = {math.sqrt(now.tau2):.2f}).")
        before = self.before
        return (f"Pooled effect {before.estimate:.2f} → {now.estimate:.2f} {unit}, from {before.sites} to "
                f"{now.sites} sites; between-site standard deviation τ {math.sqrt(before.tau2):.2f} → "
                f"{math.sqrt(now.tau2):.2f}; the interval {'excludes' if now.excludes_zero else 'includes'} zero "
                f"({'as' if now.excludes_zero == before.excludes_zero else 'unlike'} before).")

    def forest(self) -> dict | None:
        """The forest plot of the estimates as they were pooled for this convening (None when not kept)."""
        rows = self.now.rows
        if not rows:
            return None
        yi, vi = [row[1] for row in rows], [row[2] for row in rows]
        return forest_spec(rows, meta.pool(yi, vi, "FE"), meta.pool(yi, vi, "REML"), UNITS.get(self.scale, self.scale),
                           f"{self.idea.title}: the estimates pooled for this convening")


def _states(cluster: Cluster) -> dict[tuple[int, str], tuple[ChangeIdea, PooledState]]:
    states = {}
    for idea in ChangeIdea.objects.filter(current_on(), cluster=cluster).order_by("title", "pk"):
        for pooling in pool_estimates(gather("change_idea", idea, cluster), with_moderators=False):
            if pooling.random is not None:
                r = pooling.random
                rows = tuple((e.label, e.yi, e.vi) for e in pooling.estimates)
                states[(idea.pk, pooling.scale)] = (idea, PooledState(r.k, r.estimate, r.ci_low, r.ci_high, r.tau2,
                                                                      rows))
    return states


def _changed(before: PooledState | None, now: PooledState) -> bool:
    return (before is None or before.sites != now.sites or abs(before.estimate - now.estimate) >= CHANGE_THRESHOLD
            or abs(math.sqrt(before.tau2) - math.sqrt(now.tau2)) >= CHANGE_THRESHOLD
            or before.excludes_zero != now.excludes_zero)


def take_snapshot(convening: Convening) -> list[PooledSnapshot]:
    """Keep the pooled estimate of each of the cluster's change ideas now, for this convening (once: the
    convening's `kept_on` says it was kept, `improvenet.convenings.keeping`)."""
    return PooledSnapshot.objects.bulk_create([PooledSnapshot(
        cluster=convening.cluster, convening=convening, change_idea=idea, scale=scale, sites=state.sites,
        estimate=state.estimate, ci_low=state.ci_low, ci_high=state.ci_high, tau2=state.tau2,
        rows=[list(row) for row in state.rows],
    ) for (_, scale), (idea, state) in _states(convening.cluster).items()])


def _snapshot_states(snapshots: Iterable[PooledSnapshot]) -> dict[tuple[int, str], PooledState]:
    return {(s.change_idea_id, s.scale): PooledState(s.sites, s.estimate, s.ci_low, s.ci_high, s.tau2,
                                                     tuple(tuple(row) for row in s.rows))
            for s in snapshots}


def changes_since_previous(convening: Convening) -> tuple[list[PooledChange], bool]:
    """The ideas whose pooled effect or heterogeneity changed since the previous convening, and whether a
    snapshot of the previous convening exists to compare with. A convening whose snapshot was kept
    (`improvenet.convenings.keeping`, on its day) reads the same later; one not kept yet compares the
    estimates as they stand."""
    previous = convening.previous()
    before = _snapshot_states(PooledSnapshot.objects.filter(convening=previous)) if previous else {}
    if convening.kept_on is not None:
        snapshots = list(PooledSnapshot.objects.filter(convening=convening))
        ideas = ChangeIdea.objects.in_bulk([s.change_idea_id for s in snapshots])
        now = {key: (ideas[key[0]], state) for key, state in _snapshot_states(snapshots).items()}
    else:
        now = _states(convening.cluster)
    if not before:
        return [], False
    changes = [PooledChange(idea, scale, before.get((idea_id, scale)), state)
               for (idea_id, scale), (idea, state) in now.items() if _changed(before.get((idea_id, scale)), state)]
    return sorted(changes, key=lambda change: (change.idea.title, change.scale)), True


# External studies from a file -------------------------------------------------------------------------

STUDY_COLUMNS = ("citation", "url", "outcome", "wwc_rating", "sample", "school_level", "poverty_share", "dosage",
                 "scale", "effect_type", "effect", "standard_error", *dict.fromkeys([*MEANS, *EVENTS]))


# What an empty cell of these columns means.
STUDY_DEFAULTS = {"wwc_rating": ExternalStudy.Rating.NOT_REVIEWED, "scale": "smd"}


def import_studies(rows: list[tuple[int, dict]], new_study) -> tuple[list[ExternalStudy], list[str]]:
    """Check every row of an upload (`measures.upload.read_table`'s rows) as the study form checks one, and save
    them all, or none when any row has a problem; the problems name the line and the column."""
    studies, problems = [], []
    for line, cells in rows:
        data = {name: "" if cells.get(name) is None else str(cells[name]).strip() for name in STUDY_COLUMNS}
        data = {**data, **{name: value for name, value in STUDY_DEFAULTS.items() if not data[name]}}
        form = ExternalStudyForm(data, instance=new_study())
        if form.is_valid():
            studies.append(form.save(commit=False))
            continue
        for name, messages in form.errors.items():
            where = "" if name == "__all__" else f", column {name}"
            problems += [f"Line {line}{where}: {message}" for message in messages]
    if not rows:
        problems.append("The file has a header but no study: add one row per study.")
    if problems:
        return [], problems
    with transaction.atomic():
        for study in studies:
            study.save()
    return studies, []


def evidence_in_brief(cluster: Cluster, idea: ChangeIdea) -> str:
    """One line on what the idea's ledger says, for the pages that name the idea (an innovation's core elements)."""
    poolings = pool_estimates(gather("change_idea", idea, cluster), with_moderators=False)
    if not poolings:
        return "No effect estimate yet."
    parts = []
    for p in poolings:
        if p.random is None:
            parts.append(f"{p.k} estimate in {p.unit}, too few to pool")
        else:
            r = p.random
            parts.append(f"pooled effect {r.estimate:.2f} {p.unit} from {p.k} sites (95% interval {r.ci_low:.2f} to "
                         f"{r.ci_high:.2f}); a new school: {r.pi_low:.2f} to {r.pi_high:.2f}")
    return "; ".join(parts).capitalize() + "."
