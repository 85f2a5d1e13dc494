"""Every page of the demo, opened by following the site's own links, and every item of every API list, read.

The permission table opens one record of each kind, so a page that breaks only on some records slipped
through it (the demo's PDSA cycles whose prediction edits had no editor answered 500). Here the cluster
lead `alice`, who may read and change all of Riverside, follows every link inside the site breadth first
from the page the site shows after signing in; every other demo user follows the links of their first
page and of the pages it links to (the home page lists little more than the user's clusters). A 500, or a
link the site shows that answers 404, fails the test, naming the page and the link; alice, who may do
everything, must also never meet a refusal (403). Then alice's token pages through every list of the API
under /api/clusters/{cluster}/ and reads each item.

Left alone: logout, other sites, and all but one chart download per route and format (each renders an
image, and there are about two thousand). PDF packets are all fetched, and their times printed. The same
page with other query strings (?on= days, filters) is opened at most QUERY_VARIANTS times per route and
set of parameters, so pages that link ever further back in time still end.

The demo loads once for the module and is rolled back after it. On 2 cores the module takes about 100 s on
SQLite and 120 s on PostgreSQL, most of it the lead's crawl of about 2,600 pages.
"""

import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from functools import cache
from html import unescape
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import Resolver404, ResolverMatch, resolve
from django_scopes import scope, scopes_disabled

from improvenet.accounts.models import ApiToken
from improvenet.convenings.models import Convening
from improvenet.convenings.packets import packet_teams
from improvenet.cycles.models import PdsaCycle
from improvenet.demo import load_demo
from improvenet.design.models import Aim, ChangeIdea, DesignChallenge, Innovation
from improvenet.engagement.models import Candidate, EngagementEvent, Objection, SelectionDecision
from improvenet.families.models import OptOutRequest
from improvenet.governance.models import Vote
from improvenet.induction.access import KINDS as INDUCTION_KINDS
from improvenet.induction.models import Cohort, Induction
from improvenet.measures.models import Measure
from improvenet.network.access import partner_organizations, visible_clusters
from improvenet.network.models import Cluster, Person, School, Team
from improvenet.partners.models import Agreement, AgreementDocument
from improvenet.partnership.models import Round, SelfAssessment
from tests.permission_table import USERS

# Every test reads the demo (pytest-django creates the test database only for tests that ask for it).
pytestmark = pytest.mark.django_db

CLUSTER = "riverside"
LEAD = "alice"
QUERY_VARIANTS = 5
ONE_PER_FORMAT = {"measures:download", "measures:school_download"}
NOT_TO_FOLLOW = {"signin:logout"}
DOWNLOADS = (".pdf", ".zip", ".png", ".svg", ".csv", "/csv/")
REDIRECTS = {301, 302, 303, 307, 308}
LINK = re.compile(r"""<(?:a|area|link)\s[^>]*?\bhref=["']([^"']*)["']"""
                  r"""|<(?:img|script|iframe|source)\s[^>]*?\bsrc=["']([^"']*)["']""", re.IGNORECASE)
FORM = re.compile(r"<form\s[^>]*>", re.IGNORECASE)
FORM_METHOD = re.compile(r"""\bmethod=["']?(\w+)""", re.IGNORECASE)
FORM_ACTION = re.compile(r"""\baction=["']([^"']*)["']""", re.IGNORECASE)


@cache
def _match(path: str) -> ResolverMatch | None:
    try:
        return resolve(path)
    except Resolver404:
        return None


def _links(html: str) -> list[str]:
    """Every address the page links to, loads, or sends a GET form to (with no field filled in)."""
    links = [href or src for href, src in LINK.findall(html)]
    for form in FORM.findall(html):
        method = FORM_METHOD.search(form)
        if method is None or method.group(1).lower() == "get":
            action = FORM_ACTION.search(form)
            links.append(action.group(1) if action else "")
    return [unescape(link) for link in links]


@dataclass
class Crawl:
    """One user's walk through the site: what each address answered, and what was wrong."""

    client: Client
    depth: int | None = None  # how many links from the first page; None: as far as links go
    refusals_allowed: bool = True
    answers: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _variants: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))

    def run(self, start: str) -> "Crawl":
        queue = deque([(start, "the sign-in", 0)])
        queued = {start}
        while queue:
            url, page, depth = queue.popleft()
            for link, redirected in self._open(url, page):
                target = self._address(url, link)
                if target is None or target in queued or not self._worth_opening(target):
                    continue
                # A redirect is the same link landing elsewhere, not one step further from the first page.
                next_depth = depth if redirected else depth + 1
                if self.depth is None or next_depth <= self.depth:
                    queued.add(target)
                    queue.append((target, url, next_depth))
        return self

    def _open(self, url: str, page: str) -> list[tuple[str, bool]]:
        """The links of the page at `url` (with whether each is a redirect); notes what is wrong with it."""
        started = time.perf_counter()
        try:
            # A savepoint per page: on PostgreSQL a failed query would abort the rest of the crawl's transaction.
            with transaction.atomic():
                answer = self.client.get(url)
        except Exception as error:  # noqa: BLE001 - the crawl names every failing page, not only the first
            self.problems.append(f"{url} (linked from {page}) raised {type(error).__name__}: {error}")
            return []
        self.seconds[url] = time.perf_counter() - started
        self.answers[url] = answer.status_code
        if answer.status_code in REDIRECTS:
            return [(answer["Location"], True)]
        if answer.status_code != 200 and not (answer.status_code == 403 and self.refusals_allowed):
            self.problems.append(f"{url} (linked from {page}) answered {answer.status_code}")
        if answer.status_code != 200 or not answer.get("Content-Type", "").startswith("text/html"):
            return []
        return [(link, False) for link in _links(answer.content.decode())]

    @staticmethod
    def _address(url: str, link: str) -> str | None:
        """The address inside the site a link leads to, without its fragment; None for other sites."""
        parts = urlsplit(urldefrag(urljoin(url, link))[0])
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _worth_opening(self, target: str) -> bool:
        parts = urlsplit(target)
        match = _match(parts.path)
        name = match.view_name if match else None
        if name in NOT_TO_FOLLOW:
            return False
        if name in ONE_PER_FORMAT:
            key, limit = (name, parts.path.rsplit(".", 1)[-1]), 1
        elif parts.query:
            names = frozenset(name for name, _ in parse_qsl(parts.query, keep_blank_values=True))
            key, limit = (match.route if match else parts.path, names), QUERY_VARIANTS
        else:
            return True
        self._variants[key] += 1
        return self._variants[key] <= limit

    def opened(self) -> dict[str, set[tuple]]:
        """For each page name, the address arguments (cluster left out) of its pages that answered 200."""
        opened = defaultdict(set)
        for url, status in self.answers.items():
            match = _match(urlsplit(url).path)
            if status == 200 and match is not None and match.kwargs.get("cluster", CLUSTER) == CLUSTER:
                opened[match.view_name].add(tuple(str(v) for k, v in match.kwargs.items() if k != "cluster"))
        return opened


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module and rolled back after it.

    Without its students' data (loading it takes half a minute): the analytics stores are in an empty folder
    of the test's own, so the data pages show what they show before the first load, whatever var/ holds.
    """
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock(), transaction.atomic():
        patch.setenv("IMPROVENET_ANALYTICS_STORE", str(tmp_path_factory.mktemp("stores")))
        load_demo()
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


def signed_in(username: str) -> tuple[Client, str]:
    """A client signed in as the demo user, and the first page the site shows after signing in."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client, resolve_url(settings.LOGIN_REDIRECT_URL)


@pytest.fixture(scope="module")
def lead_crawl(demo, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        client, first_page = signed_in(LEAD)
        crawl = Crawl(client, refusals_allowed=False).run(first_page)
        transaction.set_rollback(True)  # pages that record their reading (the audit log) leave nothing behind
    return crawl


def test_the_lead_opens_every_page_without_an_error(lead_crawl):
    if lead_crawl.problems:
        pytest.fail("\n".join(lead_crawl.problems))
    downloads = {url: seconds for url, seconds in lead_crawl.seconds.items() if url.endswith(DOWNLOADS)}
    print(f"{len(lead_crawl.answers)} pages in {sum(lead_crawl.seconds.values()):.1f} s; downloads:",
          ", ".join(f"{url} {seconds:.2f} s" for url, seconds in sorted(downloads.items())))


def _every_record() -> dict[str, set[tuple]]:
    """Each record page's name, and the address arguments of every Riverside record it shows."""
    with scopes_disabled():
        riverside = Cluster.objects.get(slug=CLUSTER)
    with scope(cluster=riverside):
        measures = list(Measure.objects.values_list("slug", flat=True))
        schools = list(School.objects.values_list("pk", flat=True))
        packets = {(str(convening.pk), str(team.pk))
                   for convening in Convening.objects.all() for team in packet_teams(convening.held_on)}
        return {
            "network:school": _ids(School),
            "network:organization": _ids(partner_organizations()),
            "network:person": _ids(Person),
            "network:team": _ids(Team),
            "design:challenge": _ids(DesignChallenge),
            "design:aim": _ids(Aim),
            "design:innovation": _ids(Innovation),
            "learning:evidence": _ids(ChangeIdea),
            "cycles:cycle": _ids(PdsaCycle),
            "measures:measure": {(slug,) for slug in measures},
            "measures:school": {(slug, str(pk)) for slug in measures for pk in schools},
            "convenings:convening": _ids(Convening),
            "convenings:pdf": _ids(Convening),
            "convenings:team": packets,
            "convenings:team_pdf": packets,
            "engagement:event": _ids(EngagementEvent),
            "engagement:objection": _ids(Objection),
            "engagement:decision": _ids(SelectionDecision),
            "families:request": _ids(OptOutRequest),
            "governance:vote": _ids(Vote),
            "partners:agreement": _ids(Agreement),
            "partners:document": {(str(d.agreement_id), str(d.pk)) for d in AgreementDocument.objects.all()},
            "induction:cohort": _ids(Cohort),
            "induction:induction": _ids(Induction),
            "partnership:round": _ids(Round),
            "partnership:assessment": _ids(SelfAssessment),
        }


def _ids(records) -> set[tuple]:
    """The ids of a model's records (or a queryset's) in the open cluster scope, as address arguments."""
    queryset = records.objects.all() if isinstance(records, type) else records
    return {(str(pk),) for pk in queryset.values_list("pk", flat=True)}


def test_the_lead_opened_every_record_of_her_cluster(lead_crawl):
    opened = lead_crawl.opened()
    missing = {}
    for url_name, records in _every_record().items():
        assert records, f"the demo has no record for {url_name}: the comparison would prove nothing"
        if records - opened[url_name]:
            missing[url_name] = sorted(records - opened[url_name])[:10]
    assert not missing, f"record pages the crawl never opened: {missing}"


@pytest.mark.parametrize("username", [user for user in USERS if user not in ("anonymous", LEAD)])
def test_each_user_opens_the_pages_linked_from_their_first_pages(demo, username):
    client, first_page = signed_in(username)
    crawl = Crawl(client, depth=2).run(first_page)
    if crawl.problems:
        pytest.fail("\n".join(crawl.problems))
    with scopes_disabled():
        clusters = list(visible_clusters(get_user_model().objects.get(username=username)))
    assert clusters
    for cluster in clusters:
        home = crawl.answers.get(f"/clusters/{cluster.slug}/")
        assert home == 200, f"{username} never opened the home page of {cluster}: {home}"


API_CLUSTER = "/api/clusters/{cluster}/"
PARAMETER = re.compile(r"\{(\w+)\}")
# Path parameters whose values the OpenAPI document does not list (an enum there is used first).
UNLISTED_VALUES = {"kind": list(INDUCTION_KINDS)}
# Path parameters named by a list elsewhere than just before them: a measure's breaks are per school.
LISTED_ELSEWHERE = {"school_id": f"{API_CLUSTER}schools"}


@dataclass
class ApiCrawl:
    """Every list operation of the API under /api/clusters/{cluster}/, paged through, and each item read."""

    client: Client
    token: str
    document: dict
    problems: list[str] = field(default_factory=list)
    # For each read operation, the values its address's parameters took (the cluster left out).
    read: dict[str, set[tuple]] = field(default_factory=lambda: defaultdict(set))
    _lists: dict[str, list[dict]] = field(default_factory=dict)

    def __post_init__(self):
        self.operations = {path: item["get"] for path, item in self.document["paths"].items()
                           if path.startswith(API_CLUSTER) and "get" in item}

    def run(self) -> "ApiCrawl":
        for template in filter(self._is_list, self.operations):
            read = self._read_of(template)
            for bindings in self._bindings(template):
                for item in self._items(template, bindings):
                    if read is not None:
                        last = PARAMETER.findall(read)[-1]
                        self._read(read, bindings | {last: _key(item, last)}, template)
        return self

    def lists(self) -> list[str]:
        return [template for template in self.operations if self._is_list(template)]

    def _is_list(self, template: str) -> bool:
        """Whether the operation answers a list of records: an array, or a page of `items`."""
        answer = self.operations[template]["responses"].get("200", {})
        schema = self._resolve(answer.get("content", {}).get("application/json", {}).get("schema", {}))
        return schema.get("type") == "array" or self._resolve(
            schema.get("properties", {}).get("items", {})).get("type") == "array"

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def _read_of(self, list_template: str) -> str | None:
        """The operation reading one item: at the list's address and the item's id, or, for records listed
        below another (a decision's candidates), at an address of their own ending with the list's name."""
        name = list_template.rsplit("/", 1)[-1]
        below = [t for t in self.operations if t.rpartition("/")[0] == list_template and t.endswith("}")]
        own = [t for t in self.operations if t.endswith("}") and t.rpartition("/")[0] not in self.operations
               and t.rpartition("/")[0].endswith(f"/{name}")
               and set(PARAMETER.findall(t)[:-1]) <= set(PARAMETER.findall(list_template))]
        reads = below or own
        assert len(reads) <= 1, f"{list_template} has several read operations: {reads}"
        return reads[0] if reads else None

    def _bindings(self, template: str) -> list[dict]:
        """Every value of the template's parameters: Riverside for {cluster}; for another parameter, every
        value its schema allows, or every record of the list before it (every measure, for their values)."""
        bindings = [{"cluster": CLUSTER}]
        for parameter in PARAMETER.findall(template)[1:]:
            allowed = self._allowed(template, parameter)
            prefix = template.partition(f"/{{{parameter}}}")[0]
            if not allowed and prefix not in self.operations and parameter in LISTED_ELSEWHERE:
                allowed = [item["id"] for item in self._items(LISTED_ELSEWHERE[parameter], {"cluster": CLUSTER})]
            assert allowed or prefix in self.operations and self._is_list(prefix), \
                f"{template}: neither the OpenAPI document nor a list names the values of {{{parameter}}}"
            bindings = [given | {parameter: value} for given in bindings
                        for value in allowed or [_key(item, parameter) for item in self._items(prefix, given)]]
        return bindings

    def _allowed(self, template: str, parameter: str) -> list | None:
        for described in self.operations[template].get("parameters", ()):
            if described["name"] == parameter:
                return self._resolve(described.get("schema", {})).get("enum") or UNLISTED_VALUES.get(parameter)
        return None

    def _items(self, template: str, bindings: dict) -> list[dict]:
        """The whole list, page after page (what it gave before a failure, which is noted)."""
        path = template.format(**bindings)
        if path not in self._lists:
            self._lists[path] = self._page_through(template, path)
        return self._lists[path]

    def _page_through(self, template: str, path: str) -> list[dict]:
        parameters = {p["name"]: p for p in self.operations[template].get("parameters", ())}
        # Ended records too: their reads must work as well.
        query = {"include_ended": "true"} if "include_ended" in parameters else {}
        if "limit" not in parameters:
            answer = self._get(path, **query)
            body = answer.json() if answer is not None else []
            return body["items"] if isinstance(body, dict) else body
        query["limit"] = self._resolve(parameters["limit"].get("schema", {})).get("maximum", 100)
        items = []
        while (answer := self._get(path, **query, offset=len(items))) is not None:
            page = answer.json()
            items += page["items"]
            if not page["items"] or len(items) >= page["count"]:
                if len(items) != page["count"]:
                    self.problems.append(f"GET {path}: its pages gave {len(items)} items, its count {page['count']}")
                break
        return items

    def _read(self, template: str, bindings: dict, list_template: str) -> None:
        if self._get(template.format(**bindings), listed_in=list_template.format(**bindings)):
            self.read[template].add(tuple(str(bindings[name]) for name in PARAMETER.findall(template)[1:]))

    def _get(self, path: str, listed_in: str = "", **query):
        """The answer when it is a success; otherwise None, and the problem is noted."""
        where = f"GET {path}?{urlencode(query)}".rstrip("?") + (f" (an item of {listed_in})" if listed_in else "")
        try:
            with transaction.atomic():
                answer = self.client.get(path, query, HTTP_AUTHORIZATION=f"Bearer {self.token}")
        except Exception as error:  # noqa: BLE001 - every failing operation is named, not only the first
            self.problems.append(f"{where} raised {type(error).__name__}: {error}")
            return None
        if answer.status_code != 200:
            self.problems.append(f"{where} answered {answer.status_code}: {answer.content[:300]!r}")
            return None
        return answer


def _key(item: dict, parameter: str):
    """What names an item in an address: its field of the parameter's name (change_idea_id), or its id."""
    return item[parameter] if parameter in item else item["id"]


def _api_every_record() -> dict[str, set[tuple]]:
    with scopes_disabled():
        riverside = Cluster.objects.get(slug=CLUSTER)
    with scope(cluster=riverside):
        return {
            f"{API_CLUSTER}schools/{{record_id}}": _ids(School),
            f"{API_CLUSTER}people/{{record_id}}": _ids(Person),
            f"{API_CLUSTER}teams/{{record_id}}": _ids(Team),
            f"{API_CLUSTER}change-ideas/{{record_id}}": _ids(ChangeIdea),
            f"{API_CLUSTER}measures/{{measure_id}}": _ids(Measure),
            f"{API_CLUSTER}cycles/{{cycle_id}}": _ids(PdsaCycle),
            f"{API_CLUSTER}convenings/{{convening_id}}": _ids(Convening),
            f"{API_CLUSTER}engagement/candidates/{{candidate_id}}": _ids(Candidate),
            f"{API_CLUSTER}panel/votes/{{vote_id}}": _ids(Vote),
            f"{API_CLUSTER}agreements/{{agreement_id}}": _ids(Agreement),
            f"{API_CLUSTER}partnership/assessments/{{assessment_id}}": _ids(SelfAssessment),
            f"{API_CLUSTER}induction/{{kind}}/{{record_id}}": {("inductions", str(pk)) for (pk,) in _ids(Induction)}
                                                              | {("cohorts", str(pk)) for (pk,) in _ids(Cohort)},
        }


def test_the_lead_reads_every_item_of_every_api_list(demo):
    client = Client()
    token = ApiToken.issue(get_user_model().objects.get(username=LEAD), "crawl")[1]
    crawl = ApiCrawl(client, token, client.get("/api/openapi.json").json()).run()
    if crawl.problems:
        pytest.fail("\n".join(crawl.problems))
    assert len(crawl.lists()) > 20 and len(crawl.read) > 20, "the OpenAPI document lists almost nothing"
    missing = {}
    for read, records in _api_every_record().items():
        if records - crawl.read[read]:
            missing[read] = sorted(records - crawl.read[read])[:10]
    assert not missing, f"records the API crawl never read: {missing}"
