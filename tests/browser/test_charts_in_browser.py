"""Every kind of chart the product shows, drawn by headless Chromium at 1366 px and at 390 px from a demo with
its student data: each chart has a finite size and fits its box, its data marks spread over at least 80 % of
the plot's width, no two of its texts cover each other nor run out of the chart, and the page logs no console
error. A school's chart
as an SVG drawn on the server is measured the same way from the file (tests/svg_charts.py).

Each page is rendered once by the server: the second width gets the same document again from the browser's
own copy (a route), so the test costs the browser's drawing, not the server's work twice.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PAPERS, printed, sign_in
from tests.live_server import demo_environment, fresh_database, served
from tests.svg_charts import assert_reads_well

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)
MIN_SPREAD = 0.8

# What a person sees of each chart of the page: its size and box, the horizontal extent of its data marks
# against its x axes, and the texts that cover each other.
MEASURE = """() => {
  const rect = (element) => element.getBoundingClientRect();
  const shown = (element) => rect(element).width > 0 && rect(element).height > 0;
  const overlaps = (texts) => {
    const found = [];
    const boxes = texts.filter(shown).filter((t) => t.textContent.trim() && getComputedStyle(t).opacity !== "0"
                                                   && t.getAttribute("opacity") !== "0").map((t) => [t, rect(t)]);
    boxes.forEach(([a, ra], i) => boxes.slice(i + 1).forEach(([b, rb]) => {
      const across = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const down = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (across > 1 && down > 1) found.push(`"${a.textContent}" over "${b.textContent}"`);
    }));
    return found;
  };
  const extent = (elements) => {  // left and right of the elements that have a size (a line has no height)
    const rects = elements.map(rect).filter((r) => r.width > 0 || r.height > 0);
    return rects.length ? [Math.min(...rects.map((r) => r.left)), Math.max(...rects.map((r) => r.right))] : null;
  };
  const charts = [...document.querySelectorAll("[data-spec]")].map((box) => {
    const svg = box.querySelector("svg");
    if (!svg) return {name: box.dataset.spec, drawn: false, text: box.textContent.slice(0, 200)};
    const marks = [...svg.querySelectorAll(".mark-symbol.role-mark path, .mark-line.role-mark path, "
                                           + ".mark-rect.role-mark path, .mark-area.role-mark path")];
    const axes = [...svg.querySelectorAll(".role-axis-domain line")].filter((l) => rect(l).width > rect(l).height);
    return {name: box.dataset.spec, drawn: true, width: svg.getAttribute("width"), height: svg.getAttribute("height"),
            shownWidth: rect(svg).width, boxWidth: box.clientWidth, right: rect(svg).right,
            marks: extent(marks), plot: extent(axes), overlaps: overlaps([...svg.querySelectorAll("text")]),
            cut: [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim() && shown(t)).filter((t) =>
              rect(t).left < rect(svg).left - 1 || rect(t).right > rect(svg).right + 1).map((t) => t.textContent)};
  });
  const sparks = [...document.querySelectorAll("svg.spark")].map((svg, i) => ({
    name: `small multiple ${i + 1}`, drawn: true, width: svg.getAttribute("width"), height: svg.getAttribute("height"),
    shownWidth: rect(svg).width, boxWidth: svg.parentElement.clientWidth, right: rect(svg).right,
    marks: extent([...svg.querySelectorAll("g[transform='scale(0.1)'] > path:last-child")]),
    plot: extent([svg.querySelector("rect")]), overlaps: overlaps([...svg.querySelectorAll("text")])}));
  return {charts: charts.concat(sparks), viewport: window.innerWidth};
}"""

ALL_DRAWN = """() => [...document.querySelectorAll("[data-spec]")].every(
  (box) => box.querySelector("svg") || box.textContent.includes("could not be drawn"))"""


def problems_of(facts: dict) -> list[str]:
    problems = []
    for chart in facts["charts"]:
        name = chart["name"]
        if not chart["drawn"]:
            problems.append(f"{name} not drawn: {chart['text']}")
            continue
        size = [chart["width"], chart["height"]]
        if not all(re.fullmatch(r"\d+(\.\d+)?", value or "") and float(value) > 0 for value in size):
            problems.append(f"{name} has no finite size: {size}")
        if chart["shownWidth"] > chart["boxWidth"] + 1 or chart["right"] > facts["viewport"] + 1:
            problems.append(f"{name} is {chart['shownWidth']:.0f} px wide in a box of {chart['boxWidth']} px")
        if not chart["marks"] or not chart["plot"]:
            problems.append(f"{name} has no data marks or no x axis")
        else:
            spread = (chart["marks"][1] - chart["marks"][0]) / (chart["plot"][1] - chart["plot"][0])
            if spread < MIN_SPREAD:
                problems.append(f"{name}: the data cover {spread:.0%} of the plot's width")
        problems += [f"{name}: {overlap}" for overlap in chart["overlaps"]]
        problems += [f"{name}: \"{text}\" runs out of the chart" for text in chart.get("cut", [])]
    return problems


@pytest.fixture(scope="module")
def demo_with_students(tmp_path_factory):
    with fresh_database(tmp_path_factory) as database:
        environment = demo_environment(database, tmp_path_factory)
        with served(environment, tmp_path_factory.mktemp("log")) as (url, _server):
            yield url


class Looker:
    """One browser page that opens each address at every width, keeps what it finds wrong, and counts charts."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.problems: list[str] = []
        self.charts = 0
        self.documents: dict[str, object] = {}
        page.on("console", lambda message: self.problems.append(f"{page.url}: console error: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught error: {error}"))
        page.context.route("**/*", self._document_once)

    def _document_once(self, route) -> None:
        request = route.request
        if request.resource_type != "document" or request.method != "GET" or "/accounts/" in request.url:
            route.continue_()
            return
        if request.url not in self.documents:
            self.documents[request.url] = route.fetch()
        route.fulfill(response=self.documents[request.url])

    def links(self, pattern: str) -> list[str]:
        addresses = self.page.locator("a[href]").evaluate_all("links => links.map(link => link.href)")
        return list(dict.fromkeys(address for address in addresses if re.search(pattern, address)))

    def look(self, path: str, *, charts: bool = True) -> None:
        """Open the page at each width and check every chart on it (`charts`: the page must have one)."""
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            answer = self.page.goto(path if path.startswith("http") else self.base + path)
            assert answer.status == 200, path
            self.page.wait_for_function(ALL_DRAWN)
            facts = self.page.evaluate(MEASURE)
            if charts and not facts["charts"]:
                self.problems.append(f"{path}: no chart")
            self.charts += len(facts["charts"])
            self.problems += [f"{path} at {width} px: {problem}" for problem in problems_of(facts)]


def test_every_kind_of_chart_reads_well_at_both_widths(browser, demo_with_students):
    base = demo_with_students
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, "alice")
    looker = Looker(page, base)
    cluster = "/clusters/riverside"

    # Every measure: its small multiples, and a school's control chart.
    page.goto(f"{base}{cluster}/measures/")
    measures = looker.links(r"/measures/(?!new/)[\w-]+/$")
    assert len(measures) >= 5
    looker.look(measures[0])
    school_charts = []
    for measure in measures:
        page.goto(measure)
        school_charts.append(looker.links(r"/measures/[\w-]+/schools/\d+/$")[0])
    for school_chart in school_charts:
        looker.look(school_chart)

    # Pyramid dashboards, partnership trends, induction curves, the metrics' trends, the event study, spread.
    looker.look(f"{cluster}/pyramid-dashboards/")
    looker.look(looker.links(r"/pyramid-dashboards/\d+/$")[0])
    looker.look(f"{cluster}/partnership/")
    looker.look(f"{cluster}/induction/")
    # A rate's trend and the retention curves (each metric page takes the server seconds: two of the four).
    looker.look(f"{cluster}/data/metrics/chronic-absenteeism/")
    looker.look(f"{cluster}/data/metrics/teacher-retention/")
    looker.look(f"{cluster}/data/compare/?metric=chronic-absenteeism&treated_role=innovation&start_year=2024")
    page.goto(f"{base}{cluster}/learning/spread/")
    looker.look(looker.links(r"/learning/spread/ideas/\d+/$")[0])
    # The evidence ledger's forest plot, of the idea with pooled estimates.
    page.goto(f"{base}{cluster}/ledger/")
    looker.look(page.locator("tr", has_text="standard deviations").locator("a").first.get_attribute("href"))

    # A school's chart drawn on the server, as a person downloads it.
    svg = page.request.get(school_charts[0] + "chart.svg")
    assert svg.ok
    assert_reads_well(svg.text(), min_spread=MIN_SPREAD)
    context.close()

    assert looker.problems == [], "\n".join(looker.problems)
    assert looker.charts >= 2 * (len(measures) + 10)


def test_a_pyramid_dashboard_with_the_longitudinal_data_prints_on_one_sheet(browser, demo_with_students):
    """Its two outcome charts and the store's three metrics, drawn, on one A4 and one Letter sheet."""
    base = demo_with_students
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, base, "alice")
    page.goto(f"{base}/clusters/riverside/pyramid-dashboards/")
    page.get_by_role("link", name=re.compile(r" pyramid$")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("pyramid dashboard")
    page.wait_for_function(ALL_DRAWN)
    assert page.locator("[data-spec^=metric-chart-] svg").count() == 3, "the store's three metrics are drawn"
    sheets = {paper: len(printed(page, paper).pages) for paper in PAPERS}
    context.close()
    assert sheets == dict.fromkeys(PAPERS, 1)
