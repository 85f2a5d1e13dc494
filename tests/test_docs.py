"""The README and docs/ point only at files that exist (pages, images, scripts)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_and_images_exist(page):
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text())
    local = [t for t in targets if not re.match(r"^[a-z]+:", t)]
    missing = [t for t in local if not (page.parent / t).exists()]
    assert missing == []


def test_every_docs_image_is_used():
    used = " ".join(page.read_text() for page in PAGES)
    unused = [image.name for image in (ROOT / "docs" / "images").glob("*.png") if f"images/{image.name}" not in used]
    assert unused == []
