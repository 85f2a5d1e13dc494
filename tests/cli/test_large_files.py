"""60 MB files given to the importing commands are refused with a clear message, in bounded memory.

Each command runs in a subprocess against the demo's database, and its peak memory must stay under
300 MB. Before the limits, a 55 MB file of measure data took 929 MB before it was refused, and a 50 MB
cell was a traceback.
"""

import hashlib
import json
import subprocess
import sys
import zipfile

import pytest

from improvenet.archive.export import FORMAT
from improvenet.archive.tables import archive_tables

SIXTY_MB = 60 * 1024 * 1024
PEAK_LIMIT_MB = 300
# The command, reporting its own peak memory as it exits: VmHWM, the high-water mark of the memory of the
# program itself. (The rusage of a child also counts the memory of the test process it was forked from.)
MEASURED = """\
import atexit, re, sys
report = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
atexit.register(peak)
from improvenet.cli.main import main
main()
"""


def run_measured(env: dict, tmp_path, *arguments: str) -> tuple[int, str, float]:
    """Run `improvenet ARGUMENTS`; its exit code, its output and its peak memory in MB."""
    report = tmp_path / "peak-kb.txt"
    done = subprocess.run([sys.executable, "-c", MEASURED, str(report), *arguments], env=env, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr, int(report.read_text()) / 1024


def write_sixty_mb(path, head: bytes, filler: bytes, tail: bytes = b"") -> int:
    """A file of 60 MB (or a few bytes more): `head`, `filler` repeated, `tail`; written in pieces, never held in
    memory whole. Returns how many times `filler` was written."""
    count = -(-(SIXTY_MB - len(head) - len(tail)) // len(filler))
    per_piece = max(1, 1024 * 1024 // len(filler))
    with open(path, "wb") as out:
        out.write(head)
        for start in range(0, count, per_piece):
            out.write(filler * min(per_piece, count - start))
        out.write(tail)
    assert SIXTY_MB <= path.stat().st_size < SIXTY_MB + len(filler)
    return count


def test_a_60_mb_file_of_measure_data(server_environment, tmp_path):
    path = tmp_path / "week.csv"
    write_sixty_mb(path, b"school,period,numerator,denominator\nRiverside High School,", b"9")
    code, output, peak = run_measured(server_environment, tmp_path, "measures", "import", str(path), "--measure",
                                      "attendance", "--cluster", "riverside")
    assert code == 1, output
    assert "week.csv is 60.0 MB; a file of measure data can be at most 10.0 MB." in output
    assert "Traceback" not in output
    assert peak < PEAK_LIMIT_MB, f"{peak:.0f} MB"


def test_a_60_mb_district_file_with_an_endless_line(server_environment, tmp_path):
    folder = tmp_path / "district"
    folder.mkdir()
    row = b'"100000001","female","black",0,0,0\n'
    rows = write_sixty_mb(folder / "students.csv", b'"student_id","sex","race_ethnicity","ell","sped","frl"\n', row,
                          b'"100000002","male","' + b"x" * 100_000 + b'",0,0,0\n')
    env = server_environment | {"IMPROVENET_PSEUDONYM_KEY": "ef" * 32,
                                "IMPROVENET_ANALYTICS_STORE": str(tmp_path / "stores")}
    code, output, peak = run_measured(env, tmp_path, "data", "load", str(folder), "--cluster", "riverside",
                                      "--user", "alice", "--format", "bundle")
    assert code == 1, output
    assert (f"students.csv line {rows + 2} is longer than 64.0 KB, the most a line can hold (most of it is the "
            "column race_ethnicity); is it the right file?") in output, output
    assert "Traceback" not in output
    assert not (tmp_path / "stores" / "riverside.duckdb").exists()
    assert peak < PEAK_LIMIT_MB, f"{peak:.0f} MB"


@pytest.fixture
def sixty_mb_archive(tmp_path):
    """An archive whose people table has one 60 MB cell, stored uncompressed (a 60 MB zip)."""
    people = next(table for table in archive_tables() if table.name == "network.person")
    table = tmp_path / "people.csv"
    header = ",".join(people.header).encode() + b"\r\n"
    write_sixty_mb(table, header + b"1,", b"R", b"\r\n")
    digest = hashlib.sha256()
    with open(table, "rb") as readable:
        while chunk := readable.read(1024 * 1024):
            digest.update(chunk)
    manifest = {"format": FORMAT, "format_version": 2, "network": {"id": 1, "slug": "n", "name": "N"},
                "cluster": {"id": 1, "slug": "c", "name": "C"},
                "files": [{"path": people.path, "table": people.name, "rows": 1, "sha256": digest.hexdigest()}]}
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as written:
        written.write(table, people.path)
        written.writestr("manifest.json", json.dumps(manifest))
    table.unlink()
    return archive


def test_a_60_mb_archive_with_an_endless_cell(server_environment, sixty_mb_archive, tmp_path):
    code, output, peak = run_measured(server_environment, tmp_path, "import", str(sixty_mb_archive))
    assert code == 1, output
    column = next(table for table in archive_tables() if table.name == "network.person").header[1]
    assert (f"big.zip: tables/network.person.csv line 2, column {column}: a cell of more than 16,777,216 "
            "characters; a cell can hold at most 16,777,216. Nothing was imported.") in output
    assert "Traceback" not in output
    assert peak < PEAK_LIMIT_MB, f"{peak:.0f} MB"
