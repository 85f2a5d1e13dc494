"""Where the evidence ledger's effect estimates come from.

Each app that produces effect estimates about a change idea, an innovation or a product (finished
studies, product pilots, per-school difference-in-differences, external studies entered by hand)
registers one source here when it is ready, so the ledger lists every estimate without knowing the
apps that made them. Pure: no Django import; a source reads its own records.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SUBJECT_KINDS = ("change_idea", "innovation", "product")


@dataclass(frozen=True)
class SiteEstimate:
    """One effect estimate about a subject at one site (a school, a cluster or an external study's sample).

    `yi` is the effect on the standardized (Hedges' g) or log risk ratio scale named by `scale`, `vi`
    its sampling variance. `moderators` holds the site's characteristics a meta-regression may use
    (school level, share of students in poverty, cluster, dosage), numbers or category names.
    """

    source: str
    site: str
    cluster_id: int | None
    yi: float
    vi: float
    outcome: str
    label: str
    scale: str = "smd"
    url: str | None = None
    moderators: Mapping[str, float | str] = field(default_factory=dict)


# A source answers the estimates about one subject that a person may see: it is given the subject's
# kind, its id, and the ids of the clusters whose records the person may read.
EstimateSource = Callable[[str, int, frozenset[int]], Iterable[SiteEstimate]]

_SOURCES: dict[str, EstimateSource] = {}


def register_estimate_source(name: str, source: EstimateSource) -> None:
    """Add a source under a name (registering the same name again replaces it, so reloading is harmless)."""
    _SOURCES[name] = source


def estimate_sources() -> dict[str, EstimateSource]:
    """Every registered source by name, in the order they registered."""
    return dict(_SOURCES)
