"""improvenet.spc and the `improvenet spc` command must not import Django or any web code."""

import subprocess
import sys


def test_spc_package_and_command_do_not_import_django() -> None:
    code = (
        "import sys, improvenet.spc, improvenet.cli.spc;"
        "improvenet.spc.qic([1, 2, 3, 4], chart='i').to_svg();"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'ninja', 'waitress', 'whitenoise'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
