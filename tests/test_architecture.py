"""The structure the code keeps: which modules may import which, no import loops, pure modules without Django,
and the API's operation ids kept (a client generated from the OpenAPI document keeps working).

The import graph is read from the source (every import, those inside functions too), so an import moved
into a function to dodge a loop is still seen.
"""

import ast
import inspect
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from improvenet.api import api
from improvenet.apps import domain_apps

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "improvenet"

# Modules that import no Django and no web code: the SPC engine and the analytics store run in batch jobs
# and on Spark workers, and each app's engine is tested apart from the web. Whole packages end in ".".
PURE_MODULES = [
    "improvenet.spc.",
    "improvenet.synthesis.entry",
    "improvenet.synthesis.forest",
    "improvenet.synthesis.meta",
    "improvenet.synthesis.reading",
    "improvenet.synthesis.sources",
    "improvenet.studies.attrition",
    "improvenet.studies.charts",
    "improvenet.studies.impact",
    "improvenet.studies.power",
    "improvenet.studies.randomization",
    "improvenet.studies.reading",
    "improvenet.studies.rosters",
    "improvenet.studies.statement",
    "improvenet.studies.variance",
    "improvenet.analytics.",
    "improvenet.lib.",
    "improvenet.accounts.tokens",
    "improvenet.archive.cells",
    "improvenet.archive.digest",
    "improvenet.design.driver_graph",
    "improvenet.governance.voting",
    "improvenet.learning.evidence",
    "improvenet.measures.upload",
    "improvenet.partners.dates",
    "improvenet.partnership.health",
    "improvenet.pilots.costs",
    "improvenet.pilots.usage",
    "improvenet.sharing.scrub",
]
WEB_PACKAGES = ("django", "ninja", "django_scopes", "waitress", "whitenoise")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def project_modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts}


def _imported(module: str, path: Path) -> set[str]:
    """The project modules that `module` imports anywhere in its source."""
    modules = project_modules()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from . import x` is the package itself, each further dot one up
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            # `from package import submodule` imports the submodule; `from module import name`, the module.
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names}
    return {name for name in found if name in modules and name != module}


@cache
def import_graph() -> dict[str, set[str]]:
    return {module: _imported(module, path) for module, path in project_modules().items()}


def _is_views(module: str) -> bool:
    return module.rsplit(".", 1)[-1] == "views"


def test_only_url_configurations_import_views():
    """Views are the top of the house: models, services, APIs, forms and pure modules never import them."""
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in targets
        if _is_views(target) and module.rsplit(".", 1)[-1] != "urls"
    )
    assert wrong == []


def _loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, loops = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                loops.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return loops


def _without_package_faces(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's __init__ that re-exports its modules is its face, not a loop with them."""
    faces = {module for module, path in project_modules().items() if path.name == "__init__.py"}
    return {module: {t for t in targets if not (module in faces and t.startswith(module + "."))}
            for module, targets in graph.items()}


def test_no_import_loops():
    assert _loops(_without_package_faces(import_graph())) == []


def test_the_loop_finder_finds_a_loop():
    assert _loops({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _pure(module: str) -> bool:
    return any(module.startswith(prefix) or module == prefix.rstrip(".") for prefix in PURE_MODULES)


def test_pure_modules_import_only_pure_modules():
    wrong = sorted(f"{module} imports {target}" for module, targets in import_graph().items() if _pure(module)
                   for target in targets if not _pure(target))
    assert wrong == []


def test_the_pure_modules_load_no_web_code():
    pure = sorted(module for module in project_modules() if _pure(module) and not module.startswith("improvenet.cli"))
    code = (
        "import importlib, sys\n"
        f"for name in {pure!r}:\n"
        "    importlib.import_module(name)\n"
        f"    web = sorted(m for m in sys.modules if m.split('.')[0] in {WEB_PACKAGES!r})\n"
        "    if web:\n"
        "        sys.exit(f'{name} loads {web[:3]}')\n"
    )
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert answer.returncode == 0, answer.stderr or answer.stdout


def test_every_pure_module_listed_exists():
    for prefix in PURE_MODULES:
        assert any(module == prefix.rstrip(".") for module in project_modules()), prefix


def test_every_app_is_described_in_the_architecture_doc():
    described = (ROOT / "docs" / "architecture.md").read_text()
    missing = [config.name for config in domain_apps() if f"`{config.name}`" not in described]
    assert missing == []


OPERATIONS = ROOT / "tests" / "fixtures" / "api" / "operation_ids.txt"


def test_the_api_keeps_every_operation_id():
    """Generated clients call operations by id: none is renamed, moved or dropped (new ones may be added)."""
    document = api.get_openapi_schema()
    current = {f"{method.upper()} {path} {operation['operationId']}"
               for path, methods in document["paths"].items() for method, operation in methods.items()}
    kept = set(OPERATIONS.read_text().splitlines())
    assert kept - current == set()


@pytest.mark.parametrize("name", ["urls", "api"])
def test_apps_are_found_from_the_settings(name):
    """Adding an app touches the settings and its own folder: its pages and routes are found, not listed."""
    source = (PACKAGE / f"{name}.py").read_text()
    assert re.findall(r"improvenet\.\w+\.(?:urls|api)\b|[\"'](?:network|design|cycles)[\"']", source) == []


def test_the_kit_examples_in_the_architecture_doc_call_the_kits_as_they_are():
    """The doc's examples are what a developer copies: each call of a kit's name must bind to its signature."""
    from improvenet import pages, resources

    kits = {name: getattr(kit, name) for kit in (pages, resources) for name in dir(kit) if not name.startswith("_")}
    doc = (ROOT / "docs" / "architecture.md").read_text()
    calls = [node for block in re.findall(r"```python\n(.*?)```", doc, re.S) for node in ast.walk(ast.parse(block))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in kits]
    assert {call.func.id for call in calls} >= {"ClusterResource", "save_form"}
    for call in calls:
        arguments = [None] * len(call.args)
        keywords = {keyword.arg: None for keyword in call.keywords}
        inspect.signature(kits[call.func.id]).bind(*arguments, **keywords)


def _private_names_imported(source: str) -> list[str]:
    """The names starting with one underscore that `source` imports from a project module."""
    return [f"{node.module}.{alias.name}" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("improvenet")
            for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]


def test_no_module_imports_another_modules_private_names():
    """A name another module needs is made public under a name that explains it, not borrowed as `_name`."""
    assert _private_names_imported("from improvenet.measures.upload import _key as school_key") == [
        "improvenet.measures.upload._key"]
    wrong = sorted(f"{module} imports {name}" for module, path in project_modules().items()
                   for name in _private_names_imported(path.read_text()))
    assert wrong == []
