"""Results kept beside a store: used until the store is written or replaced, computed once at a time."""

import shutil
import subprocess
import sys
import time

import duckdb
import pyarrow as pa
import pytest

from improvenet.analytics.bundle import read_bundle
from improvenet.analytics.results import LOCK_FILE, ResultCache, results_folder
from improvenet.analytics.store import Store

QUESTION = {"metric": "students", "min_n": 10}


@pytest.fixture
def store(tmp_path, tiny_bundle, pseudonymizer) -> Store:
    store = Store(tmp_path / "analytics.duckdb")
    store.load(read_bundle(tiny_bundle), pseudonymizer, source="tiny")
    return store


class Counting:
    """A computation on the store (its students) that counts how often it ran."""

    def __init__(self, store: Store):
        self.store, self.runs = store, 0

    def __call__(self) -> pa.Table:
        self.runs += 1
        with duckdb.connect(str(self.store.path), read_only=True) as connection:
            return connection.sql("SELECT count(*) AS students FROM student").to_arrow_table()


def students(cache: ResultCache, compute) -> tuple[int, bool]:
    table, kept = cache.result(QUESTION, compute)
    return table.column("students")[0].as_py(), kept


def test_a_result_is_computed_once_then_kept(store):
    cache, compute = ResultCache(store.path), Counting(store)
    assert students(cache, compute) == (4, False)
    assert students(ResultCache(store.path), compute) == (4, True)
    assert compute.runs == 1
    assert cache.result({**QUESTION, "min_n": 5}, compute)[1] is False, "another question has its own result"


def test_two_threads_asking_for_the_same_result_compute_it_once(store):
    import threading

    from improvenet.analytics.results import StillComputing

    compute, inside, release = Counting(store), threading.Event(), threading.Event()

    def slow():
        inside.set()
        release.wait(30)
        return compute()

    answers = []
    first = threading.Thread(target=lambda: answers.append(students(ResultCache(store.path), slow)))
    first.start()
    assert inside.wait(30)
    with pytest.raises(StillComputing):  # a page asks without waiting, and shows its progress instead
        ResultCache(store.path).result(QUESTION, compute, wait=False)
    second = threading.Thread(target=lambda: answers.append(students(ResultCache(store.path), compute)))
    second.start()
    release.set()
    first.join(30)
    second.join(30)
    assert sorted(answers) == [(4, False), (4, True)] and compute.runs == 1


def test_an_opt_out_and_a_load_forget_the_kept_results(store, tiny_bundle, pseudonymizer):
    cache, compute = ResultCache(store.path), Counting(store)
    students(cache, compute)
    store.add_opt_out("DIST-000101", pseudonymizer)
    assert students(cache, compute) == (3, False)
    store.load(read_bundle(tiny_bundle), pseudonymizer, source="tiny again")
    assert students(cache, compute) == (3, False)
    assert students(cache, compute) == (3, True)
    assert len(list(results_folder(store.path).glob("*.arrow"))) == 1, "the forgotten results are removed"


def test_a_store_replaced_behind_its_back_is_not_answered_from_the_old_results(store, tmp_path):
    cache, compute = ResultCache(store.path), Counting(store)
    students(cache, compute)
    Store(tmp_path / "empty.duckdb")
    shutil.copyfile(tmp_path / "empty.duckdb", store.path)
    assert students(cache, compute) == (0, False)


CONCURRENT_READER = """
import sys, time
import pyarrow as pa
from improvenet.analytics.results import ResultCache

def slow():
    time.sleep(float(sys.argv[2]))
    return pa.table({"students": [99]})

table, kept = ResultCache(sys.argv[1]).result({"metric": "students", "min_n": 10}, slow)
print(kept)
"""


def test_while_another_process_computes_a_result_the_reader_waits_and_reads_it(store):
    """The lock holds across processes: the second reader computes nothing and reads the first one's table."""
    other = subprocess.Popen([sys.executable, "-c", CONCURRENT_READER, str(store.path), "1"],
                             stdout=subprocess.PIPE, text=True)
    lock = results_folder(store.path) / LOCK_FILE
    deadline = time.monotonic() + 30
    while not _locked(lock):
        assert time.monotonic() < deadline and other.poll() is None, "the other process never took the lock"
        time.sleep(0.02)
    waited = []
    compute = Counting(store)
    table, kept = ResultCache(store.path).result(QUESTION, compute, waiting=lambda: waited.append(True))
    assert other.wait(timeout=30) == 0 and other.stdout.read().strip() == "False"
    assert (table.column("students")[0].as_py(), kept, waited, compute.runs) == (99, True, [True], 0)


def _locked(path) -> bool:
    import fcntl

    if not path.exists():
        return False
    with open(path) as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False
