"""Sixteen readers and four writers against the real server (waitress, 8 threads) for 20 seconds.

Reads run outside any transaction (improvenet.middleware.AtomicWrites), so on SQLite they never queue
behind the write lock; writes stay atomic. Every answer must be a success, every created record must be
there afterwards, and the shared record must hold a value that one of the last writes set. Bounded in
time and count, loopback only. bench/bench_concurrency.py measures the throughput.
"""

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from improvenet.demo import DEMO_PASSWORD
from tests.live_server import run_command

READERS, WRITERS, SECONDS = 16, 4, 20
MAX_REQUESTS_PER_CLIENT = 5_000


class Client:
    """One client of the server: an API token, or a signed-in session for the pages."""

    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base, token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, method: str, path: str, body: dict | None = None, form: dict | None = None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method: str, path: str, body: dict | None = None, expect: int = 200):
        status, content = self.call(method, path, body)
        assert status == expect, f"{method} {path}: {status} {content[:300]!r}"
        return json.loads(content)

    def sign_in(self, username: str) -> None:
        _, login = self.call("GET", "/accounts/login/")
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1).decode()
        status, _ = self.call("POST", "/accounts/login/", form={
            "username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf})
        assert status == 200  # the redirect to the home page, followed


def _clients(count: int, work) -> tuple[list[threading.Thread], list[str]]:
    """`count` threads that run `work(index, deadline, problems)` until one deadline, and their problems' list."""
    problems: list[str] = []
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=work, args=(index, deadline, problems)) for index in range(count)]
    return threads, problems


def warm_up_charts(base: str, token: str, path: str) -> None:
    """Each server process loads the chart libraries (seconds) with its first chart: at once, before the clock
    starts, so that the readers' first charts do not wait for them past their time-out. Eight charts at
    once reach every process."""

    def chart() -> None:
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=300) as answer:
            answer.read()

    threads = [threading.Thread(target=chart) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_concurrent_readers_and_writers_get_no_error_and_lose_no_write(live_server_url, server_environment):
    def token(user: str) -> str:
        return run_command(server_environment, "token", "create", "--user", user, "--name", "load test").strip()

    lead, admin = Client(live_server_url, token("alice")), Client(live_server_url, token("admin"))
    # The writers work in a cluster of their own, so the demo stays as the browser tests expect it.
    network = admin.json("GET", "/api/networks")["items"][0]["slug"]
    admin.json("POST", "/api/clusters", {"network": network, "slug": "load-test", "name": "Load test"}, expect=201)
    shared = admin.json("POST", "/api/clusters/load-test/people", {"given_name": "Shared", "family_name": "Record"},
                        expect=201)["id"]
    measure = lead.json("GET", "/api/clusters/riverside/measures")["items"][0]["id"]
    api_reads = ["/api/clusters/riverside/schools", f"/api/clusters/riverside/measures/{measure}/chart",
                 "/api/clusters/riverside/cycles?limit=20", "/api/clusters/riverside/people?limit=100"]
    slug = lead.json("GET", f"/api/clusters/riverside/measures/{measure}")["slug"]
    pages = ["/clusters/riverside/", f"/clusters/riverside/measures/{slug}/"]
    warm_up_charts(live_server_url, lead.token, f"/api/clusters/riverside/measures/{measure}/chart")

    reads: list[int] = []
    created: list[int] = []
    titles: list[str] = []  # in the order their answers arrived
    lock = threading.Lock()

    def reader(index: int, deadline: float, problems: list[str]) -> None:
        client = Client(live_server_url, lead.token)
        paths = api_reads
        if index % 4 == 0:  # a quarter of the readers browse the pages, signed in
            client = Client(live_server_url)
            client.sign_in("alice")
            paths = pages
        done = 0
        while time.monotonic() < deadline and done < MAX_REQUESTS_PER_CLIENT:
            path = paths[done % len(paths)]
            status, _ = client.call("GET", path)
            if status != 200:
                problems.append(f"GET {path}: {status}")
            done += 1
        with lock:
            reads.append(done)

    def writer(index: int, deadline: float, problems: list[str]) -> None:
        client = Client(live_server_url, admin.token)
        done = 0
        while time.monotonic() < deadline and done < MAX_REQUESTS_PER_CLIENT:
            status, content = client.call("POST", "/api/clusters/load-test/people",
                                          {"given_name": f"Writer {index}", "family_name": f"Number {done}"})
            if status == 201:
                with lock:
                    created.append(json.loads(content)["id"])
            else:
                problems.append(f"POST people: {status} {content[:200]!r}")
            title = f"set by writer {index}, write {done}"
            status, content = client.call("PATCH", f"/api/clusters/load-test/people/{shared}", {"title": title})
            if status == 200:
                with lock:
                    titles.append(title)
            else:
                problems.append(f"PATCH person: {status} {content[:200]!r}")
            done += 1

    reader_threads, reader_problems = _clients(READERS, reader)
    writer_threads, writer_problems = _clients(WRITERS, writer)
    for thread in reader_threads + writer_threads:
        thread.start()
    for thread in reader_threads + writer_threads:
        thread.join(timeout=SECONDS + 60)

    assert reader_problems + writer_problems == []
    assert len(reads) == READERS and sum(reads) > READERS and len(created) > WRITERS
    listed = admin.json("GET", "/api/clusters/load-test/people?limit=500")
    assert listed["count"] == len(created) + 1
    assert {person["id"] for person in listed["items"]} >= set(created[:499])
    # The last write to commit answered among the last WRITERS answers (each writer has one write in flight).
    final = admin.json("GET", f"/api/clusters/load-test/people/{shared}")["title"]
    assert final in titles[-WRITERS:]
