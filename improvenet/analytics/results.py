"""Computed results kept beside a store, so that pages answer from them instead of recomputing.

A metric over six years of a district's attendance takes seconds; its result is a small table. The
results of a store live in the folder `<store>.results/` next to it, one Arrow file per question (the
metric, its options and the small-cell minimum), named after the store's *stamp*:

- the store's generation, a token that every write of the store replaces (`Store` calls
  `invalidate` after each load, Parquet import and opt-out commits), and
- the store file's identity, size and modification time, so that a store replaced or changed behind
  the store's back (a copied file, a restore) is never answered from the results of the old one.

A result is only used when its stamp is the store's current one. Computing happens under a file lock in
the results folder, which holds across processes (web workers, the command line): a second reader of
the same result waits for the first and then reads what it wrote, so nothing is computed twice at once; a
reader that would rather not wait (a page, which shows its progress instead) gets `StillComputing`.
The stamp is read before computing: a result computed while a write commits is filed under the old
stamp and never read.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather

GENERATION_FILE = "generation"
LOCK_FILE = "lock"
RESULT_SUFFIX = ".arrow"


class StillComputing(Exception):
    """Another reader is computing a result of this store, and this one asked not to wait for it."""


def results_folder(store_path: Path | str) -> Path:
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.name}.results")


class ResultCache:
    """The kept results of the store at `store_path`."""

    def __init__(self, store_path: Path | str):
        self.store_path = Path(store_path)
        self.folder = results_folder(self.store_path)

    def stamp(self) -> str:
        """The store's current stamp: its generation and its file's identity, size and modification time."""
        try:
            generation = (self.folder / GENERATION_FILE).read_text().strip()
        except FileNotFoundError:
            generation = "0"
        try:
            stat = self.store_path.stat()
        except FileNotFoundError:
            return f"{generation}-none"
        return f"{generation}-{stat.st_ino}-{stat.st_size}-{stat.st_mtime_ns}"

    def _path(self, stamp: str, question: dict) -> Path:
        digest = hashlib.sha256(json.dumps(question, sort_keys=True, default=str).encode()).hexdigest()[:32]
        return self.folder / f"{stamp}.{digest}{RESULT_SUFFIX}"

    def kept(self, question: dict) -> pa.Table | None:
        """The result kept for `question` under the current stamp, or None."""
        try:
            return feather.read_table(self._path(self.stamp(), question), memory_map=False)
        except FileNotFoundError:
            return None

    def result(self, question: dict, compute: Callable[[], pa.Table],
               waiting: Callable[[], None] | None = None, *, wait: bool = True) -> tuple[pa.Table, bool]:
        """(the table for `question`, whether it was kept): the kept result, else `compute()` kept for next time.

        `waiting` is called once when another process or thread is computing and this one waits for it;
        with `wait=False` it does not wait but raises StillComputing.
        """
        table = self.kept(question)
        if table is not None:
            return table, True
        with self._locked(waiting, wait):
            stamp = self.stamp()
            path = self._path(stamp, question)
            try:
                return feather.read_table(path, memory_map=False), True
            except FileNotFoundError:
                pass
            table = compute()
            self._write(path, table)
            self._remove_stale(stamp)
            return table, False

    def invalidate(self) -> None:
        """Forget every kept result: the store has changed. Safe while another process computes."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=self.folder, prefix=".generation-", delete=False) as token:
            token.write(uuid.uuid4().hex)
        os.replace(token.name, self.folder / GENERATION_FILE)
        self._remove_stale(self.stamp())

    def _write(self, path: Path, table: pa.Table) -> None:
        with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".result-", delete=False) as partial:
            pass
        try:
            feather.write_feather(table, partial.name, compression="uncompressed")
            os.replace(partial.name, path)
        except BaseException:
            Path(partial.name).unlink(missing_ok=True)
            raise

    def _remove_stale(self, stamp: str) -> None:
        for path in self.folder.glob(f"*{RESULT_SUFFIX}"):
            if not path.name.startswith(f"{stamp}."):
                path.unlink(missing_ok=True)

    @contextmanager
    def _locked(self, waiting: Callable[[], None] | None, wait: bool = True) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK_FILE, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise StillComputing("Another reader is computing results of this store.") from None
                if waiting is not None:
                    waiting()
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
