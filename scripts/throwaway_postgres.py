"""Run a command against a real PostgreSQL server, starting a throwaway one if needed.

Usage: python scripts/throwaway_postgres.py -- <command> [args...]

improvenet's test suite must also pass on PostgreSQL, not only on SQLite, and
`make test` should do that on any developer machine or CI runner without
manual database setup. So this script:

* uses the server named by IMPROVENET_TEST_POSTGRES_URL when that is set, or
* initialises a fresh cluster in a temporary folder, starts it on a free port
  of 127.0.0.1, creates the database `improvenet`, runs the command with
  IMPROVENET_TEST_POSTGRES_URL pointing at it, and then stops the server and
  deletes the folder - also when the command fails or we are interrupted.

The exit code is the command's. Only the standard library is used, so the
script runs before any project dependency is installed.
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

URL_VARIABLE = "IMPROVENET_TEST_POSTGRES_URL"
DATABASE = "improvenet"
SUPERUSER = "improvenet"
SERVICE_USER = "improvenet-pg"
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "createdb")
# Durability is pointless for a database that is deleted minutes later.
SERVER_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
MAX_CONNECTIONS = 50
START_TIMEOUT_SECONDS = 60
LOG_TAIL_LINES = 30


class SetupError(Exception):
    """The throwaway server could not be provided; the message says why."""


def say(message: str) -> None:
    print(f"throwaway-postgres: {message}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    command = parse_command(argv)
    # SIGTERM (CI cancellation, `timeout`) must unwind like Ctrl-C so the
    # server is stopped and the data directory removed.
    signal.signal(signal.SIGTERM, exit_on_signal)
    try:
        preset_url = os.environ.get(URL_VARIABLE)
        if preset_url:
            say(f"using {URL_VARIABLE}={mask_password(preset_url)}")
            return run_command(command, dict(os.environ))
        return run_with_throwaway_server(command)
    except SetupError as error:
        say(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


def parse_command(argv: list[str]) -> list[str]:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit(f"usage: {Path(sys.argv[0]).name} -- <command> [args...]")
    return argv


def exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def mask_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def run_command(command: list[str], env: dict[str, str]) -> int:
    try:
        process = subprocess.Popen(command, env=env)
    except OSError as error:
        say(f"error: cannot run {command[0]}: {error}")
        return 127
    try:
        returncode = process.wait()
    except BaseException:
        # We are being interrupted; the command must not outlive its database.
        process.terminate()
        process.wait()
        raise
    # Popen reports death by signal N as -N; shells report 128 + N.
    return 128 - returncode if returncode < 0 else returncode


def run_with_throwaway_server(command: list[str]) -> int:
    bindir = find_or_install_server_binaries()
    say(f"using PostgreSQL binaries in {bindir}")
    user = server_os_user()
    workdir = Path(tempfile.mkdtemp(prefix="throwaway-postgres-"))
    try:
        server = ThrowawayServer(bindir, user, workdir)
        try:
            url = server.start()
            return run_command(command, {**os.environ, URL_VARIABLE: url})
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def find_or_install_server_binaries() -> Path:
    bindir = find_server_binaries()
    if bindir is not None:
        return bindir
    if os.geteuid() != 0:
        raise SetupError(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found. Install them "
            "(Debian/Ubuntu: apt-get install postgresql) or set "
            f"{URL_VARIABLE}=postgres://user:password@host:port/database"
        )
    install_debian_postgresql()
    bindir = find_server_binaries()
    if bindir is None:
        raise SetupError("installed the postgresql package but still found no initdb")
    return bindir


def find_server_binaries() -> Path | None:
    for candidate in candidate_bindirs():
        if all((candidate / name).is_file() for name in REQUIRED_BINARIES):
            return candidate
    return None


def candidate_bindirs() -> list[Path]:
    candidates = []
    pg_config_bindir = pg_config_output("--bindir")
    if pg_config_bindir:
        candidates.append(Path(pg_config_bindir))
    debian_bindirs = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(map(Path, debian_bindirs), key=debian_major_version, reverse=True)
    initdb_on_path = shutil.which("initdb")
    if initdb_on_path:
        candidates.append(Path(initdb_on_path).parent)
    return candidates


def pg_config_output(option: str) -> str | None:
    if not shutil.which("pg_config"):
        return None
    result = subprocess.run(["pg_config", option], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def debian_major_version(bindir: Path) -> float:
    # /usr/lib/postgresql/<version>/bin: compare 9.6 < 10 < 15 numerically.
    try:
        return float(bindir.parent.name)
    except ValueError:
        return 0.0


def install_debian_postgresql() -> None:
    if not shutil.which("apt-get"):
        raise SetupError(
            f"PostgreSQL is not installed and apt-get is not available; install it or set "
            f"{URL_VARIABLE}"
        )
    say("PostgreSQL not found; installing the Debian package postgresql")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for apt_command in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
        if subprocess.run(apt_command, env=env, stdout=sys.stderr).returncode != 0:
            raise SetupError(f"`{' '.join(apt_command)}` failed")


def server_os_user() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as, or None to run as ourselves.

    initdb and postgres refuse to run as root, so root has to hand them over.
    """
    if os.geteuid() != 0:
        return None
    for name in ("postgres", SERVICE_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    create_service_user()
    return pwd.getpwnam(SERVICE_USER)


def create_service_user() -> None:
    say(f"creating system user {SERVICE_USER}")
    result = subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home",
         "--shell", "/usr/sbin/nologin", SERVICE_USER],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SetupError(f"could not create user {SERVICE_USER}: {result.stderr.strip()}")


class ThrowawayServer:
    """A PostgreSQL cluster living in `workdir`, run by the OS account `user`."""

    def __init__(self, bindir: Path, user: pwd.struct_passwd | None, workdir: Path):
        self.bindir = bindir
        self.user = user
        self.workdir = workdir
        self.datadir = workdir / "data"
        self.logfile = workdir / "server.log"
        if user is not None:
            os.chown(workdir, user.pw_uid, user.pw_gid)

    def start(self) -> str:
        self.initdb()
        port = free_tcp_port()
        say(f"starting server on 127.0.0.1:{port}")
        began = time.monotonic()
        self.pg_ctl_start(port)
        say(f"started in {time.monotonic() - began:.1f} s")
        self.create_database(port)
        return f"postgres://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"

    def stop(self) -> None:
        if not (self.datadir / "postmaster.pid").exists():
            return
        # A second Ctrl-C or SIGTERM must not abort the shutdown and orphan the server.
        previous_handlers = {
            signum: signal.signal(signum, signal.SIG_IGN)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            result = self.run("pg_ctl", "stop", "-m", "fast", "-D", self.datadir)
        finally:
            for signum, handler in previous_handlers.items():
                signal.signal(signum, handler)
        if result.returncode == 0:
            say("stopped")
        else:
            say(f"warning: pg_ctl stop failed: {result.stdout.strip()}")

    def initdb(self) -> None:
        for locale in ("C.UTF-8", "C"):
            result = self.run(
                "initdb", "-A", "trust", "-U", SUPERUSER, "--no-sync", "-E", "UTF8",
                f"--locale={locale}", "-D", self.datadir,
            )
            if result.returncode == 0:
                return
            # initdb removes a data directory it created, but not one it only filled.
            shutil.rmtree(self.datadir, ignore_errors=True)
        raise SetupError(f"initdb failed:\n{result.stdout}")

    def pg_ctl_start(self, port: int) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} "
            f"-c unix_socket_directories={self.workdir} "
            f"{SERVER_SETTINGS} -c max_connections={MAX_CONNECTIONS}"
        )
        result = self.run(
            "pg_ctl", "-w", "-t", str(START_TIMEOUT_SECONDS), "start",
            "-D", self.datadir, "-l", self.logfile, "-o", options,
        )
        if result.returncode != 0:
            raise SetupError(
                f"the server did not start:\n{result.stdout}\n"
                f"last lines of {self.logfile.name}:\n{self.log_tail()}"
            )

    def create_database(self, port: int) -> None:
        result = self.run(
            "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, DATABASE
        )
        if result.returncode != 0:
            raise SetupError(f"createdb failed:\n{result.stdout}")

    def log_tail(self) -> str:
        try:
            lines = self.logfile.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def run(self, binary: str, *args: object) -> subprocess.CompletedProcess[str]:
        command = [*self.privilege_drop_prefix(), str(self.bindir / binary), *map(str, args)]
        # The caller's working directory may be unreadable for the server account.
        return subprocess.run(
            command, cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )

    def privilege_drop_prefix(self) -> list[str]:
        if self.user is None:
            return []
        if shutil.which("runuser"):
            return ["runuser", "-u", self.user.pw_name, "--"]
        return ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}",
                "--init-groups", "--"]


def free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
