"""A 60 MB file uploaded through the API to the real server is refused, in bounded memory: the server reads
the upload from its temporary file, never whole (tests/cli/test_large_files.py does the same for the commands)."""

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

from tests.cli.test_large_files import PEAK_LIMIT_MB, write_sixty_mb
from tests.live_server import run_command, served

BOUNDARY = "improvenet-test-boundary"


def peak_memory_mb(pid: int) -> float:
    """VmHWM: the high-water mark of the process's own memory."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def test_a_60_mb_upload_through_the_api_is_refused_in_bounded_memory(server_environment, tmp_path):
    token = run_command(server_environment, "token", "create", "--user", "alice", "--name", "upload").strip()
    body = tmp_path / "body"
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="week.csv"\r\n'
            "Content-Type: text/csv\r\n\r\nschool,period,numerator,denominator\nRiverside High School,").encode()
    write_sixty_mb(body, head, b"9", f"\r\n--{BOUNDARY}--\r\n".encode())
    # One process, so that the process started is the one that reads the upload.
    with served(server_environment, tmp_path, "--processes", "1") as (url, server):
        authorized = {"Authorization": f"Bearer {token}"}
        listing = urllib.request.Request(f"{url}/api/clusters/riverside/measures?limit=100", headers=authorized)
        with urllib.request.urlopen(listing, timeout=60) as answer:
            measure = next(item["id"] for item in json.load(answer)["items"] if item["slug"] == "attendance")
        before = peak_memory_mb(server.pid)
        with open(body, "rb") as content:
            upload = urllib.request.Request(
                f"{url}/api/clusters/riverside/measures/{measure}/upload", data=content, method="POST",
                headers=authorized | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                                      "Content-Length": str(body.stat().st_size)})
            try:
                urllib.request.urlopen(upload, timeout=120)
                raise AssertionError("the upload was accepted")
            except urllib.error.HTTPError as error:
                status, answer = error.code, json.load(error)
        peak = peak_memory_mb(server.pid)
    assert status == 422, answer
    assert answer["detail"] == "week.csv is 60.0 MB; a file of measure data can be at most 10.0 MB."
    assert peak < PEAK_LIMIT_MB, f"{peak:.0f} MB (before the upload: {before:.0f} MB)"
    # Read whole, the file alone would have added 60 MB.
    assert peak - before < 20, f"the upload added {peak - before:.0f} MB to the server's peak memory"
