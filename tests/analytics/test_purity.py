"""improvenet.analytics must not import Django or any web code: it runs in batch jobs and on Spark workers."""

import subprocess
import sys

from tests.analytics.conftest import TINY_BUNDLE


def test_the_analytics_package_does_not_import_django(tmp_path):
    code = (
        "import sys, pkgutil, importlib, improvenet.analytics as a;"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(a.__path__, 'improvenet.analytics.')];"
        "from improvenet.analytics.bundle import read_bundle;"
        "from improvenet.analytics.store import Store;"
        "from improvenet.analytics.pseudonym import Pseudonymizer;"
        f"Store({str(tmp_path / 'a.duckdb')!r}).load("
        f"read_bundle({str(TINY_BUNDLE)!r}), Pseudonymizer(bytes(32)));"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'ninja', 'waitress', 'whitenoise', 'django_scopes'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
