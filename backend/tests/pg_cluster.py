"""Throwaway PostgreSQL clusters: a primary set up for streaming replication, a standby made
from it with pg_basebackup, and PgBouncer in front of a server. For the replica and PgBouncer
tests and bench/replica_bench.py; the shared server at 5432 is never reconfigured.

PostgreSQL refuses to run as root: as root (CI), the servers run as the `postgres` user
(`runuser`), their directories handed to it.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


class Unavailable(RuntimeError):
    """The tools to build a cluster are not installed here."""


def pg_bin() -> Path:
    given = os.environ.get("PG_BIN")
    candidates = [Path(given)] if given else sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for path in candidates:
        if (path / "initdb").exists() and (path / "pg_basebackup").exists():
            return path
    raise Unavailable("PostgreSQL server binaries (initdb, pg_basebackup) not found; set PG_BIN")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], timeout: float = 60) -> None:
    done = subprocess.run(_as_owner(cmd), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr or done.stdout}")


def _owned_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


@dataclass
class Server:
    """One running postgres on 127.0.0.1:`port`, data in `data`."""

    data: Path
    port: int
    bin: Path
    running: bool = field(default=False)

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        _run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log.txt"),
              "-w", "-t", "30", "-o", f"-p {self.port}", "start"])
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            _run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])
            self.running = False

    def remove(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)


SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = on
full_page_writes = off
shared_buffers = {shared_buffers}
max_connections = 100
log_min_messages = warning
"""


@dataclass
class ReplicatedCluster:
    primary: Server
    standby: Server

    def remove(self) -> None:
        for server in (self.standby, self.primary):
            server.remove()


def replicated_cluster(shared_buffers: str = "32MB") -> ReplicatedCluster:
    """A primary and a hot standby streaming from it, both started (a few seconds)."""
    bin_ = pg_bin()
    primary = Server(_owned_dir("ic-primary-"), free_port(), bin_)
    standby_dir = _owned_dir("ic-standby-")
    standby = Server(standby_dir, free_port(), bin_)
    try:
        _run([str(bin_ / "initdb"), "-D", str(primary.data), "-U", "postgres", "--auth=trust",
              "--no-sync", "-E", "UTF8", "--locale=C"])
        with open(primary.data / "postgresql.conf", "a") as conf:
            conf.write(SETTINGS.format(sockets=primary.data, shared_buffers=shared_buffers))
        with open(primary.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        standby_dir.rmdir()  # pg_basebackup wants to make it
        _run([str(bin_ / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
              "-U", "postgres", "-D", str(standby_dir), "-R", "-X", "stream", "-c", "fast",
              "--no-sync"], timeout=120)
        with open(standby_dir / "postgresql.conf", "a") as conf:
            conf.write(f"unix_socket_directories = '{standby_dir}'\n")
        standby.start()
    except BaseException:
        standby.remove()
        primary.remove()
        raise
    return ReplicatedCluster(primary, standby)


def wait_for_replay(primary_dsn: str, standby_dsn: str, timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    import asyncio

    import asyncpg

    async def wait() -> None:
        p = await asyncpg.connect(primary_dsn)
        s = await asyncpg.connect(standby_dsn)
        try:
            target = await p.fetchval("SELECT pg_current_wal_lsn()")
            deadline = time.monotonic() + timeout
            while await s.fetchval("SELECT pg_last_wal_replay_lsn() < $1::pg_lsn", target):
                if time.monotonic() > deadline:
                    raise TimeoutError("the standby did not catch up")
                await asyncio.sleep(0.02)
        finally:
            await p.close()
            await s.close()

    asyncio.run(wait())


@dataclass
class Bouncer:
    """PgBouncer in transaction pooling on 127.0.0.1:`port`, in front of `upstream_port`."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes]

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def pgbouncer(upstream_port: int = 5432, pool_size: int = 5) -> Bouncer:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        raise Unavailable("pgbouncer is not installed (Debian: apt-get install pgbouncer)")
    directory = _owned_dir("ic-pgbouncer-")
    port = free_port()
    (directory / "users.txt").write_text('"postgres" ""\n')
    (directory / "pgbouncer.ini").write_text(f"""[databases]
* = host=127.0.0.1 port={upstream_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
server_reset_query =
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
""")
    if os.geteuid() == 0:
        for name in ("users.txt", "pgbouncer.ini"):
            shutil.chown(directory / name, "postgres", "postgres")
    process = subprocess.Popen(_as_owner([binary, str(directory / "pgbouncer.ini")]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                err = process.stderr.read().decode() if process.stderr else ""
                log = (directory / "pgbouncer.log")
                raise RuntimeError(f"pgbouncer did not start: {err} "
                                   f"{log.read_text() if log.exists() else ''}") from None
            time.sleep(0.05)
    return Bouncer(directory, port, process)
