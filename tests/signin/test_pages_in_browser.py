"""The sign-in pages pass the same accessibility audit as the rest of the site, in both languages."""

import pytest

from tests.browser.conftest import browser, page, sign_in  # noqa: F401 (the Chromium fixtures)
from tests.browser.test_cluster_in_browser import WCAG_21_AA, load_axe

pytestmark = pytest.mark.browser


def audit(page) -> list[str]:  # noqa: F811
    load_axe(page)
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')})`)",
        WCAG_21_AA,
    )


@pytest.mark.parametrize("path", ["/accounts/login/", "/es/accounts/password/reset/", "/accounts/password/reset/sent/"])
def test_the_public_sign_in_pages_pass_a_wcag_21_aa_audit(page, live_server_url, path):  # noqa: F811
    page.goto(f"{live_server_url}{path}")
    assert audit(page) == []


def test_the_sign_out_everywhere_page_passes_a_wcag_21_aa_audit(page, live_server_url):  # noqa: F811
    sign_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/accounts/sign-out-everywhere/")
    assert audit(page) == []
