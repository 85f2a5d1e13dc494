"""The rate limits as served: two server processes on one database share the count, and behind a trusted
proxy each client is counted by its own address."""

import subprocess
import urllib.error
import urllib.request

import pytest

from tests.live_server import COMMAND, _wait_until_up, free_port

# The demo publishes Riverside's family pages.
PAGE = "/families/riverside/"


@pytest.fixture
def two_servers(server_environment, tmp_path):
    """Two `improvenet serve --trusted-proxy 127.0.0.1` on the demo's database, allowing 3 page reads a client."""
    env = server_environment | {"IMPROVENET_RATE_FAMILY_PAGES": "3/hour", "IMPROVENET_RATE_FAMILY_PAGES_CLUSTER":
                                "100000/min"}
    servers, urls = [], []
    with open(tmp_path / "servers.log", "w+") as log:
        try:
            for _ in range(2):
                port = free_port()
                servers.append(subprocess.Popen([*COMMAND, "serve", "--port", str(port), "--trusted-proxy",
                                                 "127.0.0.1"], env=env, stdout=log, stderr=subprocess.STDOUT))
                urls.append(f"http://127.0.0.1:{port}")
            for server, url in zip(servers, urls, strict=True):
                _wait_until_up(url, server, log)
            yield urls
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)


def status(url: str, client: str) -> int:
    request = urllib.request.Request(url + PAGE, headers={"X-Forwarded-For": client})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_server_processes_share_the_limit_of_each_forwarded_address(two_servers):
    first, second = two_servers
    # Unique addresses: the demo's database is shared by the session's other tests of the live server.
    client, other = "203.0.113.41", "203.0.113.42"
    assert [status(url, client) for url in (first, second, first, second)] == [200, 200, 200, 429]
    assert status(second, other) == 200
