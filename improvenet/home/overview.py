"""A cluster at a glance: what its overview page shows (network:cluster). The cluster's scope must be open."""

import datetime

import numpy as np
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from improvenet.convenings.models import Convening
from improvenet.cycles.models import PdsaCycle
from improvenet.governance.models import Vote
from improvenet.home.agenda import EXPIRING_WITHIN_DAYS, cycle_flags
from improvenet.home.models import EvidenceLevelSeen
from improvenet.learning.evidence import Level
from improvenet.learning.services import evidence_index
from improvenet.measures import services as measure_services
from improvenet.measures.models import Measure
from improvenet.network.models import Cluster, School, cluster_phases, current_on, current_phase
from improvenet.partners.models import Agreement

# A measure counts as having a new signal when a signal reaches one of its chart's latest periods.
RECENT_PERIODS = 4


def cycle_summary(cluster: Cluster, today: datetime.date) -> dict:
    """The running cycles, and those overdue or untouched, each with why."""
    running = list(PdsaCycle.objects.exclude(stage=PdsaCycle.Stage.DONE)
                   .select_related("team", "school").order_by("planned_end", "pk"))
    stale = [{"cycle": cycle, "flags": flags, "url": reverse("cycles:cycle", args=[cluster.slug, cycle.pk])}
             for cycle in running if (flags := cycle_flags(cycle, today, cluster.stale_cycle_days))]
    by_stage = [(label, sum(1 for c in running if c.stage == value))
                for value, label in PdsaCycle.Stage.choices if value != PdsaCycle.Stage.DONE]
    return {"running": len(running), "by_stage": by_stage, "stale": stale}


def measures_with_new_signals(cluster: Cluster) -> list[dict]:
    """Each current measure whose chart shows a signal in one of its last RECENT_PERIODS periods.

    Every measure's chart of every school takes about 0.1 s to compute, and the overview is the page most
    opened: the answer is kept (in each server process) under a digest of everything the charts read, so
    that any change of a value, a measure, a school, a linked PDSA cycle or a break computes it afresh.
    """
    schools = list(School.objects.filter(current_on()))
    measures = list(Measure.objects.filter(current_on()).order_by("name"))
    key = f"overview-signals:{cluster.pk}:{measure_services.charts_digest(measures, schools)}"
    kept = cache.get(key)
    if kept is None:
        kept = [(measure.pk, names) for measure in measures if (names := _schools_with_new_signals(measure, schools))]
        cache.set(key, kept, timeout=24 * 3600)
    by_pk = {measure.pk: measure for measure in measures}
    return [{"measure": by_pk[pk], "schools": names,
             "url": reverse("measures:measure", args=[cluster.slug, by_pk[pk].slug])} for pk, names in kept]


def _schools_with_new_signals(measure: Measure, schools: list[School]) -> list[str]:
    """The schools whose chart of `measure` has a signal reaching one of its last RECENT_PERIODS periods."""
    chart = measure_services.cluster_chart(measure, schools)
    if chart.result is None:
        return []
    periods = sorted({measure_services.iso(x) for x in np.unique(chart.result.point_columns["x"])})
    recent = periods[-RECENT_PERIODS:]
    if not recent:
        return []
    columns = chart.result.signal_columns
    names = {s.pk: s.name for s in schools}
    return sorted({names.get(int(pk), "") for pk, last in zip(columns["school_id"].tolist(), columns["last_x"],
                                                                strict=True)
                   if measure_services.iso(last) >= recent[0]} - {""})


def upcoming_dates(cluster: Cluster, today: datetime.date) -> list[dict]:
    """Convenings, votes, agreement expiries and the current phase's end in the next EXPIRING_WITHIN_DAYS days."""
    horizon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    dates = [{"on": c.held_on, "what": f"Convening: {c.title}",
              "url": reverse("convenings:convening", args=[cluster.slug, c.pk])}
             for c in Convening.objects.filter(held_on__gte=today, held_on__lte=horizon)]
    dates += [{"on": v.held_on, "what": f"Panel vote: {v.title}",
               "url": reverse("governance:vote", args=[cluster.slug, v.pk])}
              for v in Vote.objects.filter(closed_at__isnull=True, held_on__gte=today, held_on__lte=horizon)]
    dates += [{"on": a.expires_on, "what": f"Agreement expires: {a.title}",
               "url": reverse("partners:agreement", args=[cluster.slug, a.pk])}
              for a in Agreement.objects.filter(current_on(), expires_on__gte=today, expires_on__lte=horizon)]
    phase = current_phase(cluster_phases(), today)
    if phase and phase.ends_on and today <= phase.ends_on <= horizon:
        dates.append({"on": phase.ends_on, "what": f"The phase “{phase}” ends",
                      "url": reverse("network:phases", args=[cluster.slug])})
    return sorted(dates, key=lambda item: item["on"])


def levels_seen_on(day: datetime.date) -> dict[int, str]:
    """The level each change idea was last seen at on or before the day, by idea id."""
    latest: dict[int, str] = {}
    for idea_id, level in (EvidenceLevelSeen.objects.filter(seen_on__lte=day).order_by("seen_on")
                           .values_list("change_idea_id", "level")):
        latest[idea_id] = level
    return latest


def keep_levels(cluster: Cluster, day: datetime.date) -> int:
    """Keep each current change idea's evidence level as it stands, dated `day` (a convening's), where it differs
    from the level last kept; gives how many were kept. The overview compares later levels with these."""
    seen = levels_seen_on(day)
    kept = EvidenceLevelSeen.objects.bulk_create(
        [EvidenceLevelSeen(cluster=cluster, change_idea_id=found.idea.pk, level=found.level.value, seen_on=day)
         for found in evidence_index(cluster) if seen.get(found.idea.pk) != found.level.value],
        update_conflicts=True, unique_fields=["change_idea", "seen_on"], update_fields=["level"],
    )
    return len(kept)


def level_changes(cluster: Cluster, convening: Convening | None) -> dict:
    """The change ideas whose evidence level differs from the one kept at the convening (the last one), each with
    the level then and now. `kept` says whether the convening's levels were kept: without them, nothing is
    compared (and nothing computed)."""
    if convening is None or convening.kept_on is None:
        return {"changed": [], "kept": False}
    then = levels_seen_on(convening.held_on)
    changed = [
        {"idea": found.idea, "was": Level(then[found.idea.pk]), "now": found.level,
         "url": reverse("learning:evidence", args=[cluster.slug, found.idea.pk])}
        for found in evidence_index(cluster) if then.get(found.idea.pk, found.level.value) != found.level.value
    ]
    return {"changed": changed, "kept": True}


def cluster_overview(cluster: Cluster, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    phases = cluster_phases()
    last_convening = Convening.objects.filter(held_on__lt=today).order_by("-held_on").first()
    return {
        "current_phase": current_phase(phases, today),
        "cycles": cycle_summary(cluster, today),
        "signals": measures_with_new_signals(cluster),
        "dates": upcoming_dates(cluster, today),
        "last_convening": last_convening,
        "levels": level_changes(cluster, last_convening),
    }
