"""Take the screenshots in docs/images/ from a real improvenet server with the demo.

    .venv/bin/python scripts/docs_screenshots.py

Starts `improvenet demo` and `improvenet serve` on a temporary SQLite database, walks the pages a
school team uses in headless Chromium (as alice and bob), and writes one PNG per page, so the
pictures in docs/ can be made again after any change to the pages.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "improvenet-demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("IMPROVENET_")}
    env |= {
        "IMPROVENET_DATABASE_URL": f"sqlite:///{folder / 'docs.sqlite3'}",
        "IMPROVENET_SECRET_KEY": "documentation-screenshots-only-0123456789",
        "IMPROVENET_VAR_DIR": str(folder),
    }
    command = [sys.executable, "-m", "improvenet.cli.main"]
    subprocess.run([*command, "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*command, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/accounts/login/", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("improvenet serve did not answer")


def sign_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def shoot(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=False)
    print(f"docs/images/{name}.png")


def walk(page, url: str) -> None:
    sign_in(page, url, "alice")
    page.goto(f"{url}/clusters/riverside/")
    shoot(page, "cluster-home")
    page.goto(f"{url}/clusters/riverside/design/")
    shoot(page, "shared-design")
    page.locator("main a[href*='/design/aims/']").first.click()
    shoot(page, "driver-diagram")
    page.goto(f"{url}/clusters/riverside/design/")
    page.locator("main a[href*='/design/innovations/']").first.click()
    shoot(page, "innovation-boundaries")
    page.goto(f"{url}/clusters/riverside/measures/")
    page.locator("main a[href*='/measures/']").filter(has_text="attend").first.click()
    shoot(page, "measure-small-multiples")
    page.locator("main a", has_text="Hawthorne Early College High School").first.click()
    shoot(page, "measure-school-chart")

    sign_in(page, url, "bob")
    page.goto(f"{url}/")
    shoot(page, "my-work")
    page.goto(f"{url}/clusters/riverside/directory/")
    page.get_by_role("link", name="Hawthorne Early College High School design team").click()  # bob's team
    page.get_by_role("link", name="board of PDSA cycles").click()
    shoot(page, "team-board")
    cycle = page.evaluate("[...document.querySelectorAll('main a')].map(a => a.href)"
                          ".find(href => /\\/cycles\\/\\d+\\/$/.test(href))")
    page.goto(cycle)
    shoot(page, "pdsa-cycle")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 960})
                walk(page, url)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
