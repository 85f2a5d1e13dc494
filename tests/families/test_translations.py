"""Every language's catalog is complete, and its committed .mo is the compiled .po.

Adding a language is adding a catalog (docs/families.md): these tests then check it too.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

import improvenet

PACKAGE = Path(improvenet.__file__).parent
LOCALE = PACKAGE / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
MSGFMT = shutil.which("msgfmt")


def catalog(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file written with --no-wrap (one line each); fuzzy entries count as missing."""
    entries, fuzzy = {}, False
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith('msgid "') and line != 'msgid ""':
            msgstr = lines[number + 1]
            assert msgstr.startswith('msgstr "'), f"{path}:{number + 2}: expected the msgstr of {line}"
            entries[line[7:-1]] = "" if fuzzy else msgstr[8:-1]
            fuzzy = False
    return entries


def test_every_language_of_the_site_has_a_catalog():
    assert TRANSLATED, "settings.LANGUAGES names a language besides English"
    for code in TRANSLATED:
        assert (LOCALE / code / "LC_MESSAGES" / "django.po").is_file(), code


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalog_translates_every_string_of_the_code(code, tmp_path, settings):
    """Extract the strings afresh from a copy of the code and find each translated in the committed catalog."""
    source = tmp_path / "source"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("locale", "static", "migrations", "__pycache__"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    (tmp_path / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(source)
        call_command("makemessages", locale=[code], no_location=True, no_wrap=True, verbosity=0)
    wanted = catalog(tmp_path / "locale" / code / "LC_MESSAGES" / "django.po")
    committed = catalog(LOCALE / code / "LC_MESSAGES" / "django.po")
    assert len(wanted) > 50, "the family pages' strings were found"
    assert sorted(set(wanted) - set(committed)) == [], "strings missing from the catalog: run makemessages"
    assert [msgid for msgid in wanted if not committed[msgid]] == [], "untranslated or fuzzy strings"
    placeholders = re.compile(r"%\(\w+\)s")
    for msgid in wanted:
        assert sorted(placeholders.findall(msgid)) == sorted(placeholders.findall(committed[msgid])), msgid


@pytest.mark.skipif(MSGFMT is None, reason="msgfmt (gettext) is not installed")
@pytest.mark.parametrize("code", TRANSLATED)
def test_the_committed_mo_is_the_compiled_po(code, tmp_path):
    folder = LOCALE / code / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "--check", "-o", compiled, folder / "django.po"], check=True, capture_output=True)
    assert compiled.read_bytes() == (folder / "django.mo").read_bytes(), "run compilemessages and commit the .mo"
