"""Start-up stays fast: the site's URL configuration and the `improvenet` command load none of the libraries
that take seconds to import; each loads in the code paths that use it (bench/bench_startup.py times it all).

Each check runs in a fresh interpreter, since this test process has long since imported everything.
"""

import json
import os
import subprocess
import sys

import pytest

# pandas, statsmodels (which brings polars), WeasyPrint, PySpark, lifelines, vl-convert; and SciPy's statistics,
# which the SPC engine needs only when it computes a chart.
HEAVY = ("pandas", "statsmodels", "weasyprint", "pyspark", "lifelines", "vl_convert", "scipy.stats", "polars")
# The analytics store's libraries, and SciPy's optimizers (a study's variance fit): every app's views are imported by
# the first reverse(), and none of them needs these until it reads a store or fits a model.
STORE = ("duckdb", "pyarrow", "narwhals", "scipy.optimize")

LOADED = """
import json, os, sys
{imports}
print(json.dumps(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def heavy_modules_loaded(imports: str, heavy: tuple[str, ...] = HEAVY, environment: dict | None = None) -> list[str]:
    env = (environment or os.environ) | {"DJANGO_SETTINGS_MODULE": "improvenet.settings"}
    code = LOADED.format(imports=imports, heavy=heavy)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize(("what", "imports"), [
    ("the command", "import improvenet.cli.main"),
    ("the URL configuration and the WSGI application",
     "import django\ndjango.setup()\nimport improvenet.urls\nfrom django.core.wsgi import get_wsgi_application\n"
     "get_wsgi_application()"),
    ("the command once Django is set up (what `token`, `invite` or `reminders` load)",
     "import improvenet.cli.main\nimport django\ndjango.setup()"),
])
def test_starting_loads_no_heavy_library(what, imports):
    assert heavy_modules_loaded(imports) == [], f"{what} loads these at start-up; import them where they are used"


def test_reversing_a_page_address_does_not_build_the_api():
    # `improvenet reminders` reverses the agreements' addresses: that must not build the API's ~200 operations.
    reversing = ("import django\ndjango.setup()\nfrom django.urls import reverse\n"
                 "reverse('partners:registry', args=['x'])")
    assert heavy_modules_loaded(reversing, heavy=("improvenet.api",)) == []


REVERSE_EVERY_PAGE = """import django
django.setup()
from django.urls import NoReverseMatch, reverse
from django.urls.converters import IntConverter
from improvenet.urls import pages
reversed_names = 0
for _prefix, _translated, module in pages:
    for pattern in module.urlpatterns:
        arguments = [1 if isinstance(converter, IntConverter) else "x"
                     for converter in pattern.pattern.converters.values()]
        try:
            reverse(f"{module.app_name}:{pattern.name}", args=arguments)
        except NoReverseMatch:  # a part of the address with a pattern of its own (organizations|schools|...)
            continue
        reversed_names += 1
assert reversed_names > 200, reversed_names
"""


def test_reversing_every_page_address_loads_no_heavy_library_nor_the_store():
    # `improvenet reminders` and `invite` reverse addresses, which imports every app's views and what they import.
    assert heavy_modules_loaded(REVERSE_EVERY_PAGE, heavy=HEAVY + STORE) == []


RUN_COMMAND = """import runpy
sys.argv = ["improvenet", *{arguments!r}]
try:
    runpy.run_module("improvenet.cli.main", run_name="__main__")
except SystemExit as ended:
    assert ended.code == {status!r}, ended.code
"""


@pytest.mark.parametrize(("arguments", "status"), [
    (["reminders", "send", "--dry-run"], 0),
    (["token", "list", "--user", "alice"], 0),
    (["invite", "maria@example.org", "--name", "Maria Lopez", "-c", "riverside", "--by", "alice", "--dry-run"], 0),
    (["export", "--cluster", "nowhere", "--out", "nowhere.zip"], 1),
], ids=["reminders dry run", "token list", "invite dry run", "unknown cluster"])
def test_the_commands_of_the_web_database_load_no_heavy_library_nor_the_store(server_environment, arguments, status):
    code = RUN_COMMAND.format(arguments=arguments, status=status)
    assert heavy_modules_loaded(code, heavy=HEAVY + STORE, environment=server_environment) == []


def test_the_api_is_built_when_one_of_its_addresses_is_reversed_or_requested():
    code = ("import django\ndjango.setup()\nfrom django.urls import resolve, reverse\n"
            "assert 'improvenet.api' not in sys.modules\n"
            "assert reverse('api:openapi-json') == '/api/openapi.json'\n"
            "assert resolve('/api/clusters/riverside/schools').url_name == 'list_records'")
    assert heavy_modules_loaded(code, heavy=("improvenet.api",)) == ["improvenet.api"]


def test_the_services_that_draw_charts_load_the_arithmetic_with_the_first_chart():
    services = ("import django\ndjango.setup()\nimport improvenet.measures.services, improvenet.convenings.packets, "
                "improvenet.partnership.services\nfrom improvenet.spc import CHART_TYPES, MIN_PART_POINTS")
    assert heavy_modules_loaded(services, heavy=("improvenet.spc.engine",)) == []
    # Importing the module `single` must not hide the function `qic` of the same package.
    drawn = "import improvenet.spc.single\nfrom improvenet import spc\nspc.qic([1, 2, 3])"
    assert heavy_modules_loaded(drawn, heavy=("improvenet.spc.engine",)) == ["improvenet.spc.engine"]


def test_an_i_chart_needs_no_scipy_statistics():
    # Anhøj's fewest crossings are counted in integers: `improvenet spc` on a few rows starts in a second.
    loaded = heavy_modules_loaded("from improvenet.spc import qic\nqic(list(range(30)), chart='i')")
    assert "scipy.stats" not in loaded


def test_the_check_sees_a_heavy_library_that_is_loaded():
    assert heavy_modules_loaded("import django\ndjango.setup()\nimport improvenet.convenings.pdf") == ["weasyprint"]
