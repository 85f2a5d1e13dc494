"""`improvenet serve --processes N`: N processes forked once the site is loaded, all answering on one port; one
that dies is replaced, and stopping the server stops them all."""

import os
import signal
import time
import urllib.request
from pathlib import Path

from tests.live_server import served


def children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def answered_by(url: str, count: int) -> list[int]:
    statuses = []
    for _ in range(count):
        with urllib.request.urlopen(f"{url}/health", timeout=30) as answer:
            statuses.append(answer.status)
    return statuses


def wait_for(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


def test_several_processes_share_the_port_are_replaced_and_stop_together(server_environment, tmp_path):
    with served(server_environment, tmp_path, "--processes", "2") as (url, server):
        first = wait_for(lambda: len(children(server.pid)) == 2 and children(server.pid))
        assert answered_by(url, 10) == [200] * 10
        killed = min(first)
        os.kill(killed, signal.SIGKILL)
        replaced = wait_for(lambda: len(children(server.pid) - {killed}) == 2 and children(server.pid))
        assert killed not in replaced and len(replaced & first) == 1
        assert answered_by(url, 10) == [200] * 10
        log = (tmp_path / "server.log").read_text()
        assert "with 2 processes × 8 threads" in log
        assert f"Server process {killed} ended (signal SIGKILL); starting another." in log
    assert server.returncode == 0
    for pid in replaced:
        assert not Path(f"/proc/{pid}").exists(), f"server process {pid} still runs"
