"""The cluster menu every cluster page carries: its areas, the sections of each, and which is current.

The area of a page comes from its URL namespace (the app that serves it); the network app's pages other
than the overview (directory, people, phases, settings) belong to running the cluster.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from improvenet.families.access import may_handle_requests


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    for_leads: bool = False  # shown only to those who may change the cluster
    by_network: bool = False  # addressed by the cluster's network rather than the cluster
    for_opt_out_handlers: bool = False


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    url_name: str
    namespaces: frozenset[str] = frozenset()
    sections: tuple[Section, ...] = field(default=())


AREAS = (
    Area("overview", "Overview", "network:cluster"),
    Area("design", "Design", "design:home", frozenset({"design"})),
    Area("cycles", "Cycles", "cycles:index", frozenset({"cycles"})),
    Area("measures", "Measures", "measures:list", frozenset({"measures"})),
    Area("learning", "Learning", "learning:index", frozenset({
        "learning", "convenings", "sharing", "search", "pilots", "studies",
    }), (
        Section("Evidence per change idea", "learning:index"),
        Section("Spread grid", "learning:grid"),
        Section("What traveled", "learning:travel"),
        Section("Product pilots", "pilots:index"),
        Section("Studies", "studies:index"),
        Section("Convenings", "convenings:index"),
        Section("Sharing with the network", "sharing:cluster"),
        Section("Network library", "sharing:library", by_network=True),
        Section("Search", "search:cluster"),
    )),
    Area("data", "Data", "data:home", frozenset({"data"}), (
        Section("Longitudinal data", "data:home"),
        Section("Data use agreements", "data:agreements", for_leads=True),
        Section("Audit log", "data:audit", for_leads=True),
    )),
    Area("running", "Running the cluster", "network:running", frozenset({
        "network", "engagement", "families", "governance", "partners", "induction", "partnership", "pyramids",
        "archive", "accounts", "corrections",
    }), (
        Section("Schools, teams and partners", "network:directory"),
        Section("People", "network:people"),
        Section("Roles and access", "accounts:roles"),
        Section("Invitations", "accounts:invitations", for_leads=True),
        Section("Phases", "network:phases"),
        Section("Community engagement", "engagement:index"),
        Section("School selection decisions", "engagement:decisions"),
        Section("Objections", "engagement:objections"),
        Section("Family pages", "families:settings"),
        Section("Families' opt-out requests", "families:requests", for_opt_out_handlers=True),
        Section("Standing panel", "governance:panel"),
        Section("Research agenda", "governance:agenda"),
        Section("Partners and agreements", "partners:registry"),
        Section("Teacher induction", "induction:outcomes"),
        Section("Induction records", "induction:records", for_leads=True),
        Section("Partnership health", "partnership:report"),
        Section("Self-assessment rounds", "partnership:rounds"),
        Section("Pyramid dashboards", "pyramids:index"),
        Section("Withdrawn records", "corrections:index"),
        Section("Open archive", "archive:page", for_leads=True),
        Section("Cluster settings", "network:cluster_edit", for_leads=True),
    )),
)

OVERVIEW_PAGES = {("network", "cluster")}


def area_of(namespace: str, url_name: str) -> str | None:
    """The key of the area a page belongs to, from its URL namespace and name."""
    if (namespace, url_name) in OVERVIEW_PAGES:
        return "overview"
    return next((area.key for area in AREAS if namespace in area.namespaces), None)


def sections_for(area: Area, user, access) -> list[dict]:
    """The sections of an area this user may open, each with its address."""
    cluster = access.obj
    shown = []
    for section in area.sections:
        if section.for_leads and not access.can_change:
            continue
        if section.for_opt_out_handlers and not may_handle_requests(user, access):
            continue
        args = [cluster.network.slug] if section.by_network else [cluster.slug]
        shown.append({"label": section.label, "url": reverse(section.url_name, args=args),
                      "url_name": section.url_name})
    return shown


def cluster_menu(user, access, namespace: str = "", url_name: str = "", path: str = "") -> dict:
    """The menu of one cluster for this user: each area with its address and sections, the current one marked."""
    current = area_of(namespace, url_name)
    areas = []
    for area in AREAS:
        sections = sections_for(area, user, access)
        for section in sections:
            section["current"] = section["url"] == path
        url = reverse(area.url_name, args=[access.obj.slug])
        areas.append({"key": area.key, "label": area.label, "url": url, "is_page": url == path,
                      "current": area.key == current, "sections": sections})
    return {"cluster": access.obj, "areas": areas, "current": next((a for a in areas if a["current"]), None)}
